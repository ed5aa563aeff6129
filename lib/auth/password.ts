import 'server-only';
import { hash, verify, verifySync } from '@node-rs/argon2';

// argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1); the parameters travel in the PHC
// string, so raising them here rehashes each user at their next sign-in (PW-08).
export const PASSWORD_HASH_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolatedModules cannot read)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Longest password accepted; beyond it hashing becomes a denial-of-service lever (PW-02). */
export const PASSWORD_MAX_CODE_POINTS = 1024;

/** NFKC so that the same password typed on another keyboard or OS still matches (PW-03). */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export async function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), PASSWORD_HASH_OPTIONS);
}

// A real hash of a random string: verifying against it costs what a real verify costs, so an
// unknown username takes as long as a wrong password (PW-10).
let dummyHash: Promise<string> | undefined;
function getDummyHash() {
  dummyHash ??= hash(crypto.randomUUID(), PASSWORD_HASH_OPTIONS);
  return dummyHash;
}

/** Makes the dummy hash ahead of the first check that needs it (a thread that only signs in). */
export async function prepareDummyHash(): Promise<void> {
  await getDummyHash();
}

export type PasswordCheck = { ok: true; needsRehash: boolean } | { ok: false };

/**
 * Verifies `password` against `passwordHash`, or against a dummy hash when there is no user, so
 * both paths take the same time. Over-long input is refused without hashing it.
 */
export function checkPassword(
  password: string,
  passwordHash: string | null | undefined,
): Promise<PasswordCheck> {
  return check(password, passwordHash, verify);
}

/**
 * `checkPassword` with the hash computed on the calling thread instead of libuv's pool: for a
 * thread that exists to do sign-ins (lib/web/password-step-worker.ts), so that all of a step's
 * work runs at that thread's priority.
 */
export function checkPasswordOnThisThread(
  password: string,
  passwordHash: string | null | undefined,
): Promise<PasswordCheck> {
  return check(password, passwordHash, async (target, candidate) => verifySync(target, candidate));
}

async function check(
  password: string,
  passwordHash: string | null | undefined,
  verifyHash: (target: string, candidate: string) => Promise<boolean>,
): Promise<PasswordCheck> {
  const tooLong = [...password].length > PASSWORD_MAX_CODE_POINTS;
  const target = passwordHash && !tooLong ? passwordHash : await getDummyHash();
  const candidate = tooLong ? '' : normalizePassword(password);
  let matches = false;
  try {
    matches = await verifyHash(target, candidate);
  } catch {
    matches = false; // a malformed stored hash is a failed check, never a crash
  }
  if (!matches || !passwordHash || tooLong) return { ok: false };
  return { ok: true, needsRehash: !hasCurrentParameters(passwordHash) };
}

function hasCurrentParameters(phc: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!m) return false;
  return (
    Number(m[1]) >= PASSWORD_HASH_OPTIONS.memoryCost &&
    Number(m[2]) >= PASSWORD_HASH_OPTIONS.timeCost &&
    Number(m[3]) === PASSWORD_HASH_OPTIONS.parallelism
  );
}
