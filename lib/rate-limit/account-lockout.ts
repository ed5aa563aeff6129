import type { ExpiringStore } from '@/lib/store/expiring-store';
import { lockoutPolicy, type LockoutPolicy } from './policies';
import { subjectKey } from './rate-limiter';

// Account lockout (BF-01 to BF-03): one failure counter per canonical username, kept whether or
// not an account has that name, so that an unknown name behaves exactly like a known one (BF-04).
// The counter is the store's atomic increment: exact under any concurrency (BF-02). Every
// `threshold`-th failure locks the name for a while that doubles each time, up to the cap.
// Decision record: docs/decisions/0009-limits-and-lockout.md.

const failuresKey = (usernameKey: string) => `lockout:failures:${subjectKey(usernameKey)}`;
const lockKey = (usernameKey: string) => `lockout:lock:${subjectKey(usernameKey)}`;

export type LockStatus = {
  /** Failed password tries counted in the current failure window. */
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

/**
 * Counts one failed password try, tries made while locked included: each is a guess refused.
 * Returns the new count, and the lock it started when it reached a multiple of the threshold.
 */
export async function recordPasswordFailure(
  store: ExpiringStore,
  usernameKey: string,
  policy: LockoutPolicy = lockoutPolicy,
): Promise<{ failures: number; startedLockMs: number | null }> {
  const failures = await store.increment(failuresKey(usernameKey), policy.failureWindowMs);
  const lockMs = lockDurationMs(failures, policy);
  // Exactly one caller sees each multiple, so each lock is written once. Two of them racing
  // (the 5th and the 10th at the same instant) could leave the shorter one: an accepted edge.
  if (lockMs !== null) await store.put(lockKey(usernameKey), { failures }, lockMs);
  return { failures, startedLockMs: lockMs };
}

/** A correct password (when not locked) or an admin's unlock: the name starts from zero. */
export async function clearPasswordFailures(
  store: ExpiringStore,
  usernameKey: string,
): Promise<void> {
  await Promise.all([store.delete(failuresKey(usernameKey)), store.delete(lockKey(usernameKey))]);
}
