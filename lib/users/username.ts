/**
 * The canonical form of a username: what makes two spellings the same account. NFKC folds
 * look-alike compatibility characters, lower case makes sign-in case-insensitive (BF-03).
 * What a new username may be is checkUsername in user-rules.ts.
 */
export function canonicalUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}
