import { describe, expect, it } from 'vitest';
import { composeCodeMessage, describeLifetime, webOtpLine } from './code-message';

const base = { code: '123456', ttlSeconds: 45, origin: 'https://login.example.com' };

describe('composeCodeMessage', () => {
  it('email: subject, code, lifetime, origin and what to do if it was not you', () => {
    const message = composeCodeMessage({ ...base, channel: 'email', to: 'ada@example.com' });
    expect(message).toMatchObject({
      channel: 'email',
      to: 'ada@example.com',
      subject: 'Your Latchkey security code',
      code: '123456',
    });
    expect(message.text).toContain('123456');
    expect(message.text).toContain('45 seconds');
    expect(message.text).toContain('https://login.example.com');
    expect(message.text).toContain('If you did not try to sign in, change your password');
    expect(message.validitySeconds).toBeUndefined();
  });

  it('OTP-11 sms: short text, ValidityPeriod equal to the code lifetime', () => {
    const message = composeCodeMessage({ ...base, channel: 'sms', to: '+15005550006' });
    expect(message.validitySeconds).toBe(45);
    expect(message.text.split('\n')[0]).toBe(
      'Your Latchkey security code is 123456. It expires in 45 seconds.',
    );
    // One SMS segment (160 GSM-7 characters) is cheaper and arrives whole.
    expect(message.text.length).toBeLessThanOrEqual(160);
  });

  it('sms: the last line is the origin-bound WebOTP line, host without port', () => {
    const lastLine = (origin: string) =>
      composeCodeMessage({ ...base, channel: 'sms', to: '+15005550006', origin })
        .text.split('\n')
        .at(-1);
    expect(lastLine('https://login.example.com')).toBe('@login.example.com #123456');
    expect(lastLine('http://localhost:3000')).toBe('@localhost #123456');
    expect(lastLine('https://Login.Example.COM:443/')).toBe('@login.example.com #123456');
  });

  it('voice: digits separated so they are read one by one, said twice', () => {
    const message = composeCodeMessage({ ...base, channel: 'voice', to: '+15005550006' });
    expect(message.text).toBe(
      'Your Latchkey security code is: 1, 2, 3, 4, 5, 6. Again: 1, 2, 3, 4, 5, 6.',
    );
  });

  it('OTP-01 leading zeros are kept on every channel', () => {
    for (const channel of ['email', 'sms', 'voice'] as const) {
      const message = composeCodeMessage({ ...base, channel, to: 'x', code: '007012' });
      expect(message.code).toBe('007012');
      expect(message.text).toContain(channel === 'voice' ? '0, 0, 7, 0, 1, 2' : '007012');
    }
  });
});

describe('describeLifetime', () => {
  it('uses seconds below a whole minute and minutes for whole minutes', () => {
    expect(describeLifetime(1)).toBe('1 second');
    expect(describeLifetime(45)).toBe('45 seconds');
    expect(describeLifetime(60)).toBe('1 minute');
    expect(describeLifetime(90)).toBe('90 seconds');
    expect(describeLifetime(600)).toBe('10 minutes');
  });
});

describe('webOtpLine', () => {
  it('writes internationalised hosts in punycode', () => {
    expect(webOtpLine('https://bücher.example', '000001')).toBe('@xn--bcher-kva.example #000001');
  });
});
