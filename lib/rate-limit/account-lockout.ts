import type { AttemptCount, AttemptCounted, ExpiringStore } from '@/lib/store/expiring-store';
import { lockoutPolicy, type LockoutPolicy } from './policies';
import { subjectKey } from './rate-limiter';

// Account lockout (BF-01 to BF-03): one attempt counter per canonical username, kept whether or
// not an account has that name, so that an unknown name behaves exactly like a known one (BF-04).
// An attempt is counted atomically *before* its password is checked, and the same store operation
// says whether the name was locked and starts the lock at every `threshold`-th attempt: so of a
// burst of parallel attempts only the first `threshold` are checked against the real hash, on any
// number of instances (BF-01, BF-02). A success forgets the count; a failure leaves it counted.
// The lock lasts a while that doubles each time, up to the cap.
// Decision records: docs/decisions/0009-limits-and-lockout.md, 0020-lockout-and-audit-privacy.md.

const failuresKey = (usernameKey: string) => `lockout:failures:${subjectKey(usernameKey)}`;
const lockKey = (usernameKey: string) => `lockout:lock:${subjectKey(usernameKey)}`;

export type LockStatus = {
  /** Password attempts counted in the current window: failures, and any being checked now. */
  failures: number;
  /** Milliseconds until the lock ends, or null when the name is not locked. */
  lockedForMs: number | null;
};

/** How long the `failures`-th failure locks for, or null when it does not start a lock. */
export function lockDurationMs(
  failures: number,
  policy: LockoutPolicy = lockoutPolicy,
): number | null {
  if (failures < policy.threshold || failures % policy.threshold !== 0) return null;
  const doublings = failures / policy.threshold - 1;
  return Math.min(policy.firstLockMs * 2 ** Math.min(doublings, 30), policy.maxLockMs);
}

export async function lockedForMs(
  store: ExpiringStore,
  usernameKey: string,
): Promise<number | null> {
  const ms = await store.ttlMs(lockKey(usernameKey));
  return ms !== null && ms > 0 ? ms : null;
}

export async function lockStatus(store: ExpiringStore, usernameKey: string): Promise<LockStatus> {
  const [failures, locked] = await Promise.all([
    store.get<number>(failuresKey(usernameKey)),
    lockedForMs(store, usernameKey),
  ]);
  return { failures: failures ?? 0, lockedForMs: locked };
}

/** The lock lengths in order (1, 2, 4 … minutes up to the cap), for the store's countAttempt. */
export function lockSchedule(policy: LockoutPolicy = lockoutPolicy): number[] {
  const schedule: number[] = [];
  for (let k = 1; schedule.at(-1) !== policy.maxLockMs && k <= 31; k++)
    schedule.push(lockDurationMs(k * policy.threshold, policy)!);
  return schedule;
}

// Every password step counts an attempt: the deployment's schedule is worked out once.
const defaultSchedule = lockSchedule(lockoutPolicy);

const attemptCount = (usernameKey: string, policy: LockoutPolicy): AttemptCount => ({
  counterKey: failuresKey(usernameKey),
  lockKey: lockKey(usernameKey),
  windowMs: policy.failureWindowMs,
  threshold: policy.threshold,
  lockMs: policy === lockoutPolicy ? defaultSchedule : lockSchedule(policy),
});

export type PasswordAttempt = AttemptCounted & { usernameKey: string };

/**
 * Counts a password attempt on the name before its password is checked, in one store round trip.
 * `lockedForMs` set: the name was locked, check against the dummy hash. `startedLockMs` set: this
 * attempt reached a multiple of the threshold and locked the name for every attempt after it;
 * if its password turns out right, clearPasswordFailures lifts that lock again.
 */
export async function countPasswordAttempt(
  store: ExpiringStore,
  usernameKey: string,
  policy: LockoutPolicy = lockoutPolicy,
): Promise<PasswordAttempt> {
  return { usernameKey, ...(await store.countAttempt(attemptCount(usernameKey, policy))) };
}

/** An attempt refused before it was judged (address or global limit) does not count. */
export async function uncountPasswordAttempt(
  store: ExpiringStore,
  attempt: PasswordAttempt,
  policy: LockoutPolicy = lockoutPolicy,
): Promise<void> {
  const { usernameKey, attempts } = attempt;
  await store.uncountAttempt(attemptCount(usernameKey, policy), attempts);
}

/** A correct password (when not locked) or an admin's unlock: the name starts from zero. */
export async function clearPasswordFailures(
  store: ExpiringStore,
  usernameKey: string,
): Promise<void> {
  await Promise.all([store.delete(failuresKey(usernameKey)), store.delete(lockKey(usernameKey))]);
}
