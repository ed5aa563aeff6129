import { describe, expect, it } from 'vitest';
import { parseDeviceName } from './device-name';
import { describeUserAgent } from './describe-user-agent';

describe('device names (TD-07)', () => {
  it('TD-07 trims, folds white space and keeps any script', () => {
    expect(parseDeviceName('  Büro   PC  ')).toEqual({ ok: true, name: 'Büro PC' });
    expect(parseDeviceName('مكتب 🖥️ 東京')).toEqual({ ok: true, name: 'مكتب 🖥️ 東京' });
  });

  it('TD-07 removes control and bidi-override characters', () => {
    expect(parseDeviceName('a\u202Eb\u0000c\nd')).toEqual({ ok: true, name: 'a b c d' });
  });

  it('TD-07 refuses empty names and names over 64 code points, counting code points not UTF-16 units', () => {
    expect(parseDeviceName('   ')).toMatchObject({ ok: false });
    expect(parseDeviceName(undefined)).toMatchObject({ ok: false });
    expect(parseDeviceName('😀'.repeat(64))).toMatchObject({ ok: true });
    expect(parseDeviceName('😀'.repeat(65))).toMatchObject({
      ok: false,
      error: expect.stringContaining('64'),
    });
  });
});

describe('describeUserAgent', () => {
  it('names the browser and OS', () => {
    const ua =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    expect(describeUserAgent(ua)).toEqual({
      browser: 'Chrome',
      os: 'macOS',
      suggestedName: 'Chrome on macOS',
    });
  });

  it('falls back when the user agent says nothing', () => {
    expect(describeUserAgent('')).toEqual({
      browser: null,
      os: null,
      suggestedName: 'This browser',
    });
  });
});
