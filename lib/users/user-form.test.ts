import { describe, expect, it } from 'vitest';
import examples from 'libphonenumber-js/examples.mobile.json';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import { parseUserForm, userFormValues } from '@/lib/users/user-form';
import { EMAIL_MAX, NAME_MAX, PHONE_REQUIRED_MESSAGE } from '@/lib/users/user-rules';

const base = {
  username: 'ada.lovelace',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '',
  role: 'user',
};
const parse = (overrides: Record<string, string | undefined>, defaultRegion = 'US') =>
  parseUserForm({ ...base, ...overrides }, { defaultRegion });

const regions = Object.keys(examples) as CountryCode[];

describe('user form: phone numbers from libphonenumber-js/examples.mobile.json', () => {
  it('has examples from many regions to test with', () => {
    expect(regions.length).toBeGreaterThan(200);
  });

  it.each(regions)(
    '%s: the national format, read with that region as the default, is stored in E.164',
    (region) => {
      const example = getExampleNumber(region, examples)!;
      const result = parse({ phone: example.formatNational(), twoFactor: '1' }, region);
      expect(result).toMatchObject({ ok: true, user: { phone: example.number } });
      expect(example.number).toMatch(/^\+[1-9]\d{4,14}$/);
    },
  );

  it.each(regions)(
    '%s: the international format gives the same E.164 whatever the default region',
    (region) => {
      const example = getExampleNumber(region, examples)!;
      const defaultRegion = region === 'US' ? 'DE' : 'US';
      expect(parse({ phone: example.formatInternational() }, defaultRegion)).toMatchObject({
        ok: true,
        user: { phone: example.number },
      });
    },
  );

  it('reads a US national number typed with punctuation', () => {
    expect(parse({ phone: '(415) 555-0123' })).toMatchObject({
      ok: true,
      user: { phone: '+14155550123' },
    });
  });

  it('refuses what is not a valid number, beside the phone field', () => {
    for (const phone of ['12', 'call me', '+1 415 555 01234567', '+999 123']) {
      const result = parse({ phone });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(Object.keys(result.errors)).toEqual(['phone']);
    }
  });
});

describe('user form: the phone is mandatory with two-step sign-in', () => {
  it('two-step sign-in on and no phone: an error beside the phone field', () => {
    expect(parse({ phone: '   ', twoFactor: '1' })).toEqual({
      ok: false,
      errors: { phone: PHONE_REQUIRED_MESSAGE },
    });
  });

  it('two-step sign-in off and no phone: allowed, stored as no phone', () => {
    expect(parse({ phone: '' })).toMatchObject({
      ok: true,
      user: { phone: null, twoFactor: false },
    });
  });

  it('says so together with the other fields that are wrong', () => {
    const result = parse({ phone: '', twoFactor: 'on', email: 'not-an-email', username: 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(Object.keys(result.errors).sort()).toEqual(['email', 'phone', 'username']);
  });
});

describe('user form: the other fields', () => {
  it('normalises: trimmed email, empty name as null, unticked boxes as false', () => {
    expect(parse({ email: '  ada@example.com ', name: '  ' })).toEqual({
      ok: true,
      user: {
        username: 'ada.lovelace',
        name: null,
        email: 'ada@example.com',
        phone: null,
        role: 'user',
        twoFactor: false,
        disabled: false,
      },
    });
  });

  it('reads ticked boxes and the admin role', () => {
    expect(
      parse({ role: 'admin', twoFactor: '1', disabled: 'on', phone: '+14155550100' }),
    ).toMatchObject({ ok: true, user: { role: 'admin', twoFactor: true, disabled: true } });
  });

  it.each([
    ['username', 'ab'],
    ['username', 'has space'],
    ['name', 'x'.repeat(NAME_MAX + 1)],
    ['name', 'tab\there'],
    ['email', ''],
    ['email', 'no-at-sign'],
    ['email', `${'a'.repeat(EMAIL_MAX)}@example.com`],
    ['role', 'superuser'],
    ['role', ''],
  ])('refuses %s %j with a message for that field only', (field, value) => {
    const result = parse({ [field]: value });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.errors)).toEqual([field]);
      expect(result.errors[field as keyof typeof result.errors]).toMatch(/\w/);
    }
  });

  it('a name of exactly 100 characters is fine', () => {
    expect(parse({ name: 'é'.repeat(NAME_MAX) }).ok).toBe(true);
  });

  it('keeps what the admin typed, for the form after a refusal', () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...base, phone: '(415) 555-0123 ', twoFactor: '1' }))
      form.set(k, v);
    expect(userFormValues(form)).toEqual({
      ...base,
      phone: '(415) 555-0123 ',
      twoFactor: '1',
      disabled: '',
    });
  });
});
