/**
 * The canonical form of a username: what makes two spellings the same account. NFKC folds
 * look-alike compatibility characters, lower case makes sign-in case-insensitive (BF-03).
 */
export function canonicalUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

export type UsernameResult = { ok: true; username: string } | { ok: false; error: string };

/**
 * Usernames for new accounts: 3–64 characters, letters, digits and . _ - (any script's
 * letters), starting with a letter or digit. Kept as typed; uniqueness is on the canonical form.
 */
export function parseUsername(input: string): UsernameResult {
  const username = input.normalize('NFKC').trim();
  const length = [...username].length;
  if (length < 3 || length > 64) return { ok: false, error: 'Use 3 to 64 characters.' };
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(username)) {
    return {
      ok: false,
      error: 'Use letters, digits, dots, dashes and underscores, starting with a letter or digit.',
    };
  }
  return { ok: true, username };
}
