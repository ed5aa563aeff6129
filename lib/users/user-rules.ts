import { z } from 'zod';
import { parsePhone } from '@/lib/users/phone';

// What each field of a user must be, and the one message that says why not. The admin's user
// form (user-form.ts) and the User Upload's rows (lib/uploads/validate-row.ts) both call these,
// so a cell and a form field holding the same text get the same verdict and the same words, and
// a user created from a file can always be saved again from the edit form. Pure: the default
// phone region comes in as an argument.

/** A field as stored, or why it cannot be. Each rule trims what was typed itself. */
export type FieldResult<T> = { ok: true; value: T } | { ok: false; error: string };

const refuse = (error: string) => ({ ok: false, error }) as const;

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 64;

/**
 * Usernames for new accounts: 3–64 characters, letters, digits and . _ - (any script's
 * letters), starting with a letter or digit. Kept as typed, NFKC-normalised; uniqueness is on
 * the canonical form (canonicalUsername in username.ts).
 */
export function checkUsername(typed: string): FieldResult<string> {
  const username = typed.normalize('NFKC').trim();
  if (!username) return refuse('Enter a username.');
  const length = [...username].length;
  if (length < USERNAME_MIN || length > USERNAME_MAX)
    return refuse(`Use ${USERNAME_MIN} to ${USERNAME_MAX} characters.`);
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(username))
    return refuse(
      'Use letters, digits, dots, dashes and underscores, starting with a letter or digit.',
    );
  return { ok: true, value: username };
}

export const NAME_MAX = 100;

/**
 * A display name: any script, at most NAME_MAX characters (code points), no control characters
 * (the name goes into pages, emails and SMS texts, where a bell or an escape sequence is only
 * trouble). Empty means no name.
 */
export function checkName(typed: string): FieldResult<string | null> {
  const name = typed.trim();
  // Code points are never more than UTF-16 units: most names need no count (and no array).
  if (name.length > NAME_MAX && [...name].length > NAME_MAX)
    return refuse(`Use at most ${NAME_MAX} characters.`);
  if (/\p{Cc}/u.test(name)) return refuse('Remove the control characters.');
  return { ok: true, value: name || null };
}

/** RFC 5321's limit on a forward path. */
export const EMAIL_MAX = 254;

const emailSchema = z
  .string()
  .trim()
  .min(1, 'Enter an email address.')
  .max(EMAIL_MAX, `Use at most ${EMAIL_MAX} characters.`)
  .pipe(z.email('Enter an email address like name@example.com.'));

/** An email address, trimmed and kept as typed otherwise (addresses compare case-insensitively). */
export function checkEmail(typed: string): FieldResult<string> {
  const result = emailSchema.safeParse(typed);
  return result.success
    ? { ok: true, value: result.data }
    : refuse(result.error.issues[0]?.message ?? 'Enter an email address.');
}

export const PHONE_REQUIRED_MESSAGE = 'A phone number is required when two-step sign-in is on.';

/**
 * A phone number in E.164 (parsePhone: numbers without a country code are read in
 * `defaultRegion`), or null when none is given. A two-step account needs somewhere to send SMS
 * codes, so then the number is mandatory.
 */
export function checkPhone(
  typed: string,
  options: { twoFactor: boolean; defaultRegion: string },
): FieldResult<string | null> {
  if (!typed.trim())
    return options.twoFactor ? refuse(PHONE_REQUIRED_MESSAGE) : { ok: true, value: null };
  const parsed = parsePhone(typed, options.defaultRegion);
  return parsed.ok ? { ok: true, value: parsed.e164 } : refuse(parsed.error);
}

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** `user` or `admin`, in any case. */
export function checkRole(typed: string): FieldResult<Role> {
  const role = typed.trim().toLowerCase();
  return (ROLES as readonly string[]).includes(role)
    ? { ok: true, value: role as Role }
    : refuse('Use user or admin.');
}

export const TWO_FACTOR_VALUES = 'true/false, yes/no or 1/0 (empty means true)';
const TWO_FACTOR_ON = new Set(['true', 'yes', '1', '']);
const TWO_FACTOR_OFF = new Set(['false', 'no', '0']);

/**
 * Two-step sign-in written as a word, in any case; empty means on, as for a new account. The
 * form's checkbox needs no words: ticked or not is all it can say.
 */
export function checkTwoFactor(typed: string): FieldResult<boolean> {
  const word = typed.trim().toLowerCase();
  if (TWO_FACTOR_ON.has(word)) return { ok: true, value: true };
  if (TWO_FACTOR_OFF.has(word)) return { ok: true, value: false };
  return refuse(`Use ${TWO_FACTOR_VALUES}.`);
}

export const ADMIN_TWO_FACTOR_MESSAGE =
  'Two-step sign-in cannot be switched off for administrators.';

/** Administrators always sign in with a second step: the password alone never opens admin pages. */
export function checkTwoFactorForRole(role: string, twoFactor: boolean): FieldResult<boolean> {
  return role === 'admin' && !twoFactor
    ? refuse(ADMIN_TWO_FACTOR_MESSAGE)
    : { ok: true, value: twoFactor };
}
