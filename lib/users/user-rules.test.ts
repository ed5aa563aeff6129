import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateRow } from '@/lib/uploads/validate-row';
import { formatPhone } from '@/lib/users/phone';
import { parseUserForm, type FieldErrors, type UserInput } from '@/lib/users/user-form';
import { EMAIL_MAX, NAME_MAX, PHONE_REQUIRED_MESSAGE } from '@/lib/users/user-rules';

// The admin's user form and the User Upload check a user with the same rules: the same text in a
// form field and in a CSV cell gets the same verdict and the same message, and whatever a file
// can create, the edit form can save again.

const REGION = 'US';

type Typed = {
  username: string;
  name: string;
  email: string;
  phone: string;
  role: string;
  twoFactor: boolean;
};

const ada: Typed = {
  username: 'ada.lovelace',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+1 415 555 0132',
  role: 'user',
  twoFactor: true,
};

/** The same user typed into the admin's form and written as a CSV row: each one's messages. */
function verdicts(typed: Typed) {
  const form = parseUserForm(
    { ...typed, twoFactor: typed.twoFactor ? '1' : undefined },
    { defaultRegion: REGION },
  );
  const row = validateRow(
    [typed.username, typed.name, typed.email, typed.phone, typed.role, String(typed.twoFactor)],
    2,
    REGION,
  );
  const csv: FieldErrors = {};
  for (const problem of row.ok ? [] : row.problems) {
    const field = problem.column === 'two_factor' ? 'twoFactor' : problem.column;
    if (field !== '*') csv[field] = problem.reason;
  }
  return { form, row, formErrors: form.ok ? {} : form.errors, csvErrors: csv };
}

/** What the edit form posts for a stored user: the values the edit page fills it with. */
function editFormFor(user: Omit<UserInput, 'disabled'>) {
  return {
    username: user.username,
    name: user.name ?? '',
    email: user.email,
    phone: user.phone ? formatPhone(user.phone) : '',
    role: user.role,
    twoFactor: user.twoFactor ? '1' : '',
    disabled: '',
  };
}

describe('user rules: the form and the User Upload give the same verdict and message', () => {
  it.each<[string, Partial<Typed>, FieldErrors]>([
    [
      'a 101-character name',
      { name: 'n'.repeat(NAME_MAX + 1) },
      { name: 'Use at most 100 characters.' },
    ],
    [
      'a name with a control character',
      { name: 'Ada\u0007' },
      { name: 'Remove the control characters.' },
    ],
    [
      'a bad email',
      { email: 'not-an-email' },
      { email: 'Enter an email address like name@example.com.' },
    ],
    ['no email', { email: '  ' }, { email: 'Enter an email address.' }],
    [
      'a long email',
      { email: `${'a'.repeat(EMAIL_MAX)}@example.com` },
      { email: 'Use at most 254 characters.' },
    ],
    [
      'a bad phone',
      { phone: 'call me' },
      { phone: 'That is not a phone number. Use international format, like +1 415 555 0100.' },
    ],
    [
      'a phone of another region',
      { phone: '07400 123456' },
      { phone: 'That is not a valid phone number for US.' },
    ],
    [
      'no phone with two-step sign-in on',
      { phone: '', twoFactor: true },
      { phone: PHONE_REQUIRED_MESSAGE },
    ],
    ['no username', { username: '' }, { username: 'Enter a username.' }],
    ['a short username', { username: 'ab' }, { username: 'Use 3 to 64 characters.' }],
    [
      'a username with a space',
      { username: 'ada lovelace' },
      {
        username:
          'Use letters, digits, dots, dashes and underscores, starting with a letter or digit.',
      },
    ],
    ['an unknown role', { role: 'superuser' }, { role: 'Use user or admin.' }],
    [
      'several at once',
      { name: '\u0000', email: 'x', phone: '' },
      {
        name: 'Remove the control characters.',
        email: 'Enter an email address like name@example.com.',
        phone: PHONE_REQUIRED_MESSAGE,
      },
    ],
  ])('%s', (_, change, expected) => {
    const { formErrors, csvErrors } = verdicts({ ...ada, ...change });
    expect(formErrors).toEqual(expected);
    expect(csvErrors).toEqual(expected);
  });

  it('accepts the same user and stores the same values', () => {
    const typed = {
      ...ada,
      username: ' Ada.Lovelace ',
      name: ' Ada ',
      role: 'ADMIN',
      phone: '(415) 555-0132',
    };
    const { form, row } = verdicts(typed);
    const stored = {
      username: 'Ada.Lovelace',
      name: 'Ada',
      email: 'ada@example.com',
      phone: '+14155550132',
      role: 'admin',
      twoFactor: true,
    };
    expect(form).toEqual({ ok: true, user: { ...stored, disabled: false } });
    expect(row).toMatchObject({ ok: true, value: stored });
  });

  it('a name of exactly 100 characters, in any script, is fine for both', () => {
    for (const name of ['é'.repeat(NAME_MAX), '𝒜'.repeat(NAME_MAX), 'ด้'.repeat(NAME_MAX / 2)]) {
      const { formErrors, csvErrors } = verdicts({ ...ada, name });
      expect(formErrors).toEqual({});
      expect(csvErrors).toEqual({});
    }
  });
});

// Names in any script, control and format characters, around the length limit.
const names = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: 'grapheme', minLength: 95, maxLength: 105 }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'é',
      '𝒜',
      ' ',
      '\t',
      '\u0000',
      '\u0007',
      '\u001b',
      '\u0085',
      '\u202e',
      '\u200b',
    ),
    maxLength: 110,
  }),
);
const usernames = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9._-]{2,20}$/),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 70 }),
);
const emails = fc.oneof(
  fc.emailAddress(),
  fc.constant('ada@example.com'),
  fc.string({ maxLength: 20 }),
);
const phones = fc.oneof(
  fc.constantFrom('', '+1 415 555 0132', '(415) 555-0132', '+44 7400 123456', '07400 123456', '12'),
  fc.string({ maxLength: 20 }),
);

describe('user rules: properties over many users', () => {
  it('any name gets the same verdict and message from the form and the upload', () => {
    fc.assert(
      fc.property(names, (name) => {
        const { form, row, formErrors, csvErrors } = verdicts({ ...ada, name });
        expect(csvErrors).toEqual(formErrors);
        if (form.ok && row.ok) expect(row.value.name).toBe(form.user.name);
      }),
      { numRuns: 500 },
    );
  });

  it('any user gets the same verdict and message, field by field, from the form and the upload', () => {
    fc.assert(
      fc.property(
        fc.record({
          username: usernames,
          name: names,
          email: emails,
          phone: phones,
          role: fc.constantFrom('user', 'admin', 'Admin', ' user ', 'root'),
          twoFactor: fc.boolean(),
        }),
        (typed) => {
          const { formErrors, csvErrors } = verdicts(typed);
          expect(csvErrors).toEqual(formErrors);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a row the upload accepts opens in the edit form and saves unchanged', () => {
    fc.assert(
      fc.property(
        usernames,
        names,
        emails,
        phones,
        fc.constantFrom('', 'user', 'admin', 'ADMIN'),
        fc.constantFrom('', 'true', 'yes', 'No', '0', '1'),
        (...cells) => {
          const row = validateRow(cells, 2, REGION);
          fc.pre(row.ok);
          if (!row.ok) return;
          const { username, name, email, phone, role, twoFactor } = row.value;
          const stored = { username, name, email, phone, role, twoFactor };
          expect(parseUserForm(editFormFor(stored), { defaultRegion: REGION })).toEqual({
            ok: true,
            user: { ...stored, disabled: false },
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
