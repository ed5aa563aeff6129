import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { NAME_MAX } from '@/lib/users/user-rules';
import { validateRow } from './validate-row';

const row = (
  over: Partial<
    Record<'username' | 'name' | 'email' | 'phone' | 'role' | 'two_factor', string>
  > = {},
) => {
  const v = {
    username: 'jdoe',
    name: 'Jane Doe',
    email: 'jane@example.com',
    phone: '+1 415 555 0132',
    role: 'user',
    two_factor: 'true',
    ...over,
  };
  return [v.username, v.name, v.email, v.phone, v.role, v.two_factor];
};
const problemsOf = (fields: string[], region = 'US') => {
  const result = validateRow(fields, 7, region);
  return result.ok ? [] : result.problems.map((p) => [p.row, p.column]);
};

describe('validateRow (CSV-02)', () => {
  it('CSV-02 a valid row becomes a user: canonical username, lower-cased email key, E.164 phone', () => {
    expect(
      validateRow(
        row({ username: ' JDoe ', email: 'Jane@Example.COM', role: 'ADMIN', two_factor: 'Yes' }),
        2,
        'US',
      ),
    ).toEqual({
      ok: true,
      value: {
        row: 2,
        username: 'JDoe',
        usernameKey: 'jdoe',
        name: 'Jane Doe',
        email: 'Jane@Example.COM',
        emailKey: 'jane@example.com',
        phone: '+14155550132',
        role: 'admin',
        twoFactor: true,
      },
    });
  });

  // Every region's example mobile number, written the way people in that region write it
  // (national format, read in that region) and internationally: both become the same E.164.
  const regions = Object.entries(examples as Record<string, string>);
  it(`CSV-02 phone numbers from libphonenumber-js/examples.mobile.json in all ${regions.length} regions become E.164`, () => {
    expect(regions.length).toBeGreaterThan(200);
    let checked = 0;
    for (const [region, national] of regions) {
      const number = parsePhoneNumberFromString(national, region as CountryCode);
      if (!number?.isValid()) continue; // a few examples are not valid by the `max` metadata itself
      const international = validateRow(row({ phone: number.formatInternational() }), 2, 'US');
      expect(international, `${region} ${number.formatInternational()}`).toMatchObject({
        ok: true,
        value: { phone: number.number },
      });
      const local = validateRow(row({ phone: number.formatNational() }), 2, region);
      expect(local, `${region} ${number.formatNational()}`).toMatchObject({
        ok: true,
        value: { phone: number.number },
      });
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('CSV-02 a national number is read in the default region: the same digits differ between US and GB', () => {
    expect(validateRow(row({ phone: '(415) 555-0132' }), 2, 'US')).toMatchObject({
      ok: true,
      value: { phone: '+14155550132' },
    });
    expect(validateRow(row({ phone: '07400 123456' }), 2, 'GB')).toMatchObject({
      ok: true,
      value: { phone: '+447400123456' },
    });
    expect(problemsOf(row({ phone: '07400 123456' }), 'US')).toEqual([[7, 'phone']]);
  });

  it('CSV-02 each rule names its row and column', () => {
    expect(problemsOf(row({ username: 'x' }))).toEqual([[7, 'username']]);
    expect(problemsOf(row({ username: 'has space' }))).toEqual([[7, 'username']]);
    expect(problemsOf(row({ username: '' }))).toEqual([[7, 'username']]);
    expect(problemsOf(row({ email: 'no-at-sign' }))).toEqual([[7, 'email']]);
    expect(problemsOf(row({ email: '' }))).toEqual([[7, 'email']]);
    expect(problemsOf(row({ phone: '12' }))).toEqual([[7, 'phone']]);
    expect(problemsOf(row({ phone: '+1 415 555' }))).toEqual([[7, 'phone']]);
    expect(problemsOf(row({ phone: '', two_factor: 'true' }))).toEqual([[7, 'phone']]);
    expect(problemsOf(row({ role: 'superuser' }))).toEqual([[7, 'role']]);
    expect(problemsOf(row({ two_factor: 'maybe' }))).toEqual([[7, 'two_factor']]);
    expect(problemsOf(row({ name: 'n'.repeat(NAME_MAX + 1) }))).toEqual([[7, 'name']]);
    expect(problemsOf(row({ name: 'bell\u0007' }))).toEqual([[7, 'name']]);
    expect(problemsOf(['too', 'few'])).toEqual([[7, '*']]);
    expect(problemsOf(row({ username: 'x', email: 'bad', role: 'root' }))).toEqual([
      [7, 'username'],
      [7, 'email'],
      [7, 'role'],
    ]);
  });

  it('CSV-02 two_factor takes true/false, yes/no, 1/0 in any case, empty meaning on; role empty means user', () => {
    for (const word of ['true', 'TRUE', 'yes', 'Yes', '1', ''])
      expect(validateRow(row({ two_factor: word }), 2, 'US')).toMatchObject({
        ok: true,
        value: { twoFactor: true },
      });
    for (const word of ['false', 'No', '0'])
      expect(validateRow(row({ two_factor: word, phone: '' }), 2, 'US')).toMatchObject({
        ok: true,
        value: { twoFactor: false, phone: null },
      });
    expect(validateRow(row({ role: '' }), 2, 'US')).toMatchObject({
      ok: true,
      value: { role: 'user' },
    });
  });

  it('CSV-02 a problem carries the cell as typed, shortened to 100 characters', () => {
    const result = validateRow(row({ email: `${'x'.repeat(150)}` }), 4, 'US');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]!.value).toBe(`${'x'.repeat(100)}…`);
  });
});
