import { describe, expect, it } from 'vitest';
import { markdownTable, parseRequirements, testTitles, trace } from './security-trace';

describe('security:trace', () => {
  it('reads IDs from list items only, each with the words up to the next ID', () => {
    const requirements = parseRequirements(
      [
        'Name the test with its ID, so that `grep -r "OTP-03" tests lib` finds the proof.',
        '- PW-01 Minimum 8 code points; count them. PW-02 Accept at least 64, never truncate.',
        '- OTP-03 Single use, consumed atomically.',
        'AV-01\tRedis or PostgreSQL down: a clear page.',
      ].join('\n'),
    );
    expect(requirements).toEqual([
      { id: 'PW-01', text: 'Minimum 8 code points; count them.' },
      { id: 'PW-02', text: 'Accept at least 64, never truncate.' },
      { id: 'OTP-03', text: 'Single use, consumed atomically.' },
      { id: 'AV-01', text: 'Redis or PostgreSQL down: a clear page.' },
    ]);
  });

  it('finds titles of test, it, describe, their modifiers, it.each and template titles, and nothing else', () => {
    const source = `
      describe('PW-01 passwords', () => {
        it.each([['a', 'b']])('CSV-04 escapes %j', () => {});
        test.skip(\`AV-02 \${channel} fails\`, () => {});
        test.describe.configure({ timeout: 1 });
        const note = 'SE-09 not a title';
        expect(/'nonce-([^']+)'/.test(x), 'SE-08 a message, not a title').toBe(true);
      });`;
    expect(testTitles('x.test.ts', source).map((t) => t.title)).toEqual([
      'PW-01 passwords',
      'CSV-04 escapes %j',
      'AV-02 ${channel} fails',
    ]);
  });

  it('matches whole IDs and lists the requirements no test names', () => {
    const rows = trace(
      [
        { id: 'SE-01', text: 'a' },
        { id: 'SE-10', text: 'b' },
      ],
      [{ file: 'f.ts', title: 'SE-010 and SE-01x are other things; SE-01 is this' }],
    );
    expect(rows.map((r) => r.tests.length)).toEqual([1, 0]);
    expect(markdownTable(rows, 'test')).toContain('**No test names:** SE-10');
  });
});
