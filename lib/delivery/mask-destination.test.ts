import { describe, expect, it } from 'vitest';
import { maskDestinationsIn, maskEmail, maskPhone } from './mask-destination';

describe('maskDestinationsIn', () => {
  it('RC-06 masks the known destination wherever it appears, with or without its +', () => {
    expect(
      maskDestinationsIn("The 'To' number +14155550123 is not a valid phone number (14155550123)", [
        '+14155550123',
      ]),
    ).toBe(
      `The 'To' number ${maskPhone('+14155550123')} is not a valid phone number (${maskPhone('+14155550123')})`,
    );
    expect(
      maskDestinationsIn("Error parsing 'To': Illegal email address 'Ann.Lee@Example.com'.", [
        'Ann.Lee@Example.com',
      ]),
    ).toBe(`Error parsing 'To': Illegal email address '${maskEmail('Ann.Lee@Example.com')}'.`);
  });

  it('RC-06 masks any other number shaped like E.164 (spaced or not) and any email address', () => {
    const text =
      'from +44 7700 900123 to +491511234567, call (415) 555-0199 0123, reply to x.y+z@mail.example.org';
    const masked = maskDestinationsIn(text);
    for (const digits of ['7700900123', '1511234567', '4155550199'])
      expect(masked.replace(/\D/g, '')).not.toContain(digits);
    expect(masked).toContain('•••• •••• 0123');
    expect(masked).toContain('x•••@mail.example.org');
    expect(masked).not.toContain('x.y+z@');
  });

  it('RC-06 masks email addresses with letters beyond ASCII, and cuts long text before masking', () => {
    const masked = maskDestinationsIn('bounced: josé.núñez@exämple.com and émile@例え.jp');
    expect(masked).not.toContain('josé.núñez@');
    expect(masked).not.toContain('émile@');
    const long = maskDestinationsIn(`${'a'.repeat(30_000)} +14155550123`);
    expect(long.length).toBeLessThanOrEqual(2000);
    expect(long).not.toContain('4155550123');
  });

  it('leaves error codes, HTTP statuses, dates and short numbers alone', () => {
    const text =
      'Twilio did not accept the SMS: HTTP 400, code 21211 at 2026-12-02T14:44:37Z, retry 3';
    expect(maskDestinationsIn(text)).toBe(text);
  });
});
