import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { getExpiringStore } from '@/lib/store/store';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import {
  clearPasswordFailures,
  lockStatus,
  type LockStatus,
} from '@/lib/rate-limit/account-lockout';
import { getRateLimiter } from '@/lib/rate-limit/get-rate-limiter';
import type { RateLimiter } from '@/lib/rate-limit/rate-limiter';
import { ACCOUNT_CODE_FAILURE_LIMIT, codeFailuresKey } from '@/lib/challenges/challenge-deps';
import { lockoutNoticeKey } from '@/lib/auth/lockout-notice';

// The admin's side of the lockout: what the user page shows, and the Unlock button. Callers
// authorise first (requireAdmin in the action); these trust the actor they are given.

export type AccountLock = LockStatus & {
  /** Wrong codes counted against the account (OTP-05); at the limit no code is accepted. */
  codeFailures: number;
  codesLocked: boolean;
};

type Deps = { store: ExpiringStore; limits: RateLimiter; audit: typeof recordEvent };
const realDeps = (): Deps => ({
  store: getExpiringStore(),
  limits: getRateLimiter(),
  audit: recordEvent,
});

async function usernameKeyOf(userId: string): Promise<string | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { usernameKey: true } });
  return user?.usernameKey ?? null;
}

/** The user's lockout state, or null when there is no such user. */
export async function getAccountLock(
  userId: string,
  deps: Deps = realDeps(),
): Promise<AccountLock | null> {
  const usernameKey = await usernameKeyOf(userId);
  if (usernameKey === null) return null;
  const [status, codeFailures] = await Promise.all([
    lockStatus(deps.store, usernameKey),
    deps.store.get<number>(codeFailuresKey(userId)),
  ]);
  return {
    ...status,
    codeFailures: codeFailures ?? 0,
    codesLocked: (codeFailures ?? 0) >= ACCOUNT_CODE_FAILURE_LIMIT,
  };
}

/**
 * Ends a lockout: the password failures and lock, the wrong-code counter and the account's code
 * send cap, so the user can sign in at once. Audited with the admin as actor. False when there
 * is no such user.
 */
export async function unlockAccount(
  input: { userId: string; actor: { id: string; ip?: string | null; userAgent?: string | null } },
  deps: Deps = realDeps(),
): Promise<boolean> {
  const usernameKey = await usernameKeyOf(input.userId);
  if (usernameKey === null) return false;
  const before = await getAccountLock(input.userId, deps);
  await Promise.all([
    clearPasswordFailures(deps.store, usernameKey),
    deps.store.delete(codeFailuresKey(input.userId)),
    deps.limits.reset('code-send-account', input.userId),
    // The next lock is news again: its owner gets the lockout email (decision 11).
    deps.store.delete(lockoutNoticeKey(usernameKey)),
  ]);
  await deps.audit({
    type: 'signin.unlocked',
    userId: input.userId,
    ip: input.actor.ip ?? null,
    userAgent: input.actor.userAgent ?? null,
    detail: {
      actorId: input.actor.id,
      wasLocked: before?.lockedForMs != null,
      failures: before?.failures ?? 0,
      codeFailures: before?.codeFailures ?? 0,
    },
  });
  return true;
}
