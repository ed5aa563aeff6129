import type { Limited, RequestInfo, SignInDeps, SignInUser } from '@/lib/auth/sign-in-types';
import { tellOwnerOfLockout } from '@/lib/auth/lockout-notice';
import type { PasswordAttempt } from '@/lib/rate-limit/account-lockout';
import { ipSubject, retryAfterSeconds } from '@/lib/rate-limit/rate-limiter';

// The policy table applied to the password step, with the audit trail of each refusal. The address
// and global limits count only failures: they are peeked before the password is checked and hit
// after it failed (BF-05). The name's counter (account-lockout.ts) counts every attempt before its
// check, and forgets them at a success (BF-01).

/** A refusal when this address, or the whole deployment, has failed too often; null otherwise. */
export async function passwordLimitRefusal(
  deps: SignInDeps,
  input: { username: string } & RequestInfo,
): Promise<Limited | null> {
  const [byIp, global] = await Promise.all([
    deps.limits.peek('password-ip', ipSubject(input.ip)),
    deps.limits.peek('password-global', 'all'),
  ]);
  const refused = !byIp.allowed
    ? { policy: 'password-ip', ...byIp }
    : !global.allowed
      ? { policy: 'password-global', ...global }
      : null;
  if (!refused) return null;
  await deps.audit({
    type: 'ratelimit.hit',
    typedUsername: input.username,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { policy: refused.policy, step: 'password' },
  });
  return { ok: false, reason: 'limited', retryAfterSeconds: retryAfterSeconds(refused.resetAt) };
}

/**
 * Counts a failed password try against the address and the deployment (the name's counter
 * counted it before the check: BF-03, BF-04), and audits it, with a `signin.locked` event when
 * its attempt started a lock.
 */
export async function recordFailedPassword(
  deps: SignInDeps,
  input: {
    usernameKey: string;
    user: SignInUser | null;
    typed: string;
    reason: string;
    /** The name's count of this attempt; null for an empty name, which is never counted. */
    attempt: PasswordAttempt | null;
  } & RequestInfo,
): Promise<void> {
  await Promise.all([
    deps.limits.hit('password-ip', ipSubject(input.ip)),
    deps.limits.hit('password-global', 'all'),
  ]);
  const lockout = input.attempt && {
    failures: input.attempt.attempts,
    startedLockMs: input.attempt.startedLockMs,
  };
  const whom = {
    userId: input.user?.id ?? null,
    typedUsername: input.user ? null : input.typed,
    ip: input.ip,
    userAgent: input.userAgent,
  };
  await deps.audit({ type: 'signin.password_failed', ...whom, detail: { reason: input.reason } });
  if (lockout?.startedLockMs) {
    await deps.audit({
      type: 'signin.locked',
      ...whom,
      detail: { failures: lockout.failures, lockSeconds: lockout.startedLockMs / 1000 },
    });
    // The owner's email goes after the response, so its work shows in no timing (RC-05, BF-04).
    const { user, usernameKey, ip, userAgent } = input,
      notice = { failures: lockout.failures, lockMs: lockout.startedLockMs, at: deps.now() };
    if (user)
      deps.defer(() => tellOwnerOfLockout(deps, { user, usernameKey, ip, userAgent, ...notice }));
  }
}
