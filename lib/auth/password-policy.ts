import commonPasswordList from './common-passwords.json';

// What a new password must be (PW-01 … PW-04), from NIST SP 800-63B-4: length, not composition.
// Checked when a password is set; sign-in never re-checks (PW-05: no forced expiry).

/** PW-01: the least a password may be when a code is also asked for. */
export const PASSWORD_MIN_CODE_POINTS = 8;
/** PW-01: where the password can be the only factor (a trusted browser, two-factor off). */
export const PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR = 15;
/** PW-02: accepted in full, never truncated; more is refused (hashing cost). */
export const PASSWORD_POLICY_MAX_CODE_POINTS = 1024;

/** PW-04: the product's own name, which people reach for first. */
const PRODUCT_WORDS = ['latchkey'];
/** Context words shorter than this are refused only as the whole password, not inside one. */
const CONTEXT_MIN = 4;

let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(commonPasswordList as string[]));

/** How many entries the shipped common-password list has (PW-04 wants ≥ 3,000). */
export const commonPasswordCount = () => commonPasswords().size;

export type PasswordPolicyResult =
  | { ok: true }
  | { ok: false; reason: 'too-short' | 'too-long' | 'common' | 'context'; message: string };

export type PasswordContext = {
  username?: string | null;
  email?: string | null;
  /** True where this password alone may sign in (PW-01's 15); false where a code is always asked. */
  canBeOnlyFactor: boolean;
};

export function checkPasswordPolicy(
  password: string,
  context: PasswordContext,
): PasswordPolicyResult {
  // Counted and compared as hashPassword will see it (NFKC, PW-03, lib/auth/password.ts).
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  const min = context.canBeOnlyFactor
    ? PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR
    : PASSWORD_MIN_CODE_POINTS;
  if (length < min) {
    const why = context.canBeOnlyFactor
      ? ', because on a browser you trust your password alone signs you in'
      : '';
    return {
      ok: false,
      reason: 'too-short',
      message: `Use at least ${min} characters${why}. Spaces and any characters are allowed; a few unrelated words make a good password.`,
    };
  }
  if (length > PASSWORD_POLICY_MAX_CODE_POINTS) {
    return {
      ok: false,
      reason: 'too-long',
      message: `Use at most ${PASSWORD_POLICY_MAX_CODE_POINTS} characters.`,
    };
  }
  const lower = normalized.toLowerCase();
  if (isCommon(lower)) {
    return {
      ok: false,
      reason: 'common',
      message:
        'This password is on a list of commonly used passwords, which attackers try first. Choose another.',
    };
  }
  const word = contextWords(context).find(
    (w) => lower === w || (w.length >= CONTEXT_MIN && lower.includes(w)),
  );
  if (word) {
    return {
      ok: false,
      reason: 'context',
      message:
        'Do not use the product name, your username or your email address in your password: they are the first guesses.',
    };
  }
  return { ok: true };
}

// The password itself, or the password without the digits and symbols people add around a
// common word to satisfy old composition rules ("Password2026!").
function isCommon(lower: string): boolean {
  if (commonPasswords().has(lower)) return true;
  const core = lower.replace(/^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu, '');
  return core.length >= CONTEXT_MIN && commonPasswords().has(core);
}

function contextWords(context: PasswordContext): string[] {
  const words = [...PRODUCT_WORDS];
  const username = context.username?.normalize('NFKC').toLowerCase().trim();
  if (username) words.push(username, ...username.split(/[._\-\p{N}]+/u));
  const local = context.email?.normalize('NFKC').toLowerCase().split('@')[0]?.trim();
  if (local) words.push(local, ...local.split(/[._+\-\p{N}]+/u));
  return [...new Set(words.filter((w) => w.length > 0))];
}
