import type { Limited, RequestInfo, SignInDeps, SignInUser } from '@/lib/auth/sign-in-types';
import { tellOwnerOfLockout } from '@/lib/auth/lockout-notice';
import { recordPasswordFailure } from '@/lib/rate-limit/account-lockout';
import { ipSubject, retryAfterSeconds } from '@/lib/rate-limit/rate-limiter';

// The policy table applied to the password step, with the audit trail of each refusal. For the
// password step only failures are counted: the address and global limits are peeked before the
// password is checked and hit after it failed (BF-01 to BF-05).

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
    subject: input.username,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { policy: refused.policy, step: 'password' },
  });
  return { ok: false, reason: 'limited', retryAfterSeconds: retryAfterSeconds(refused.resetAt) };
}

/**
 * Counts a failed password try against the name (known or not: BF-03, BF-04), the address and
 * the deployment, and audits it, with a `signin.locked` event when it started a lock.
 */
export async function recordFailedPassword(
  deps: SignInDeps,
  input: {
    usernameKey: string;
    user: SignInUser | null;
    typed: string;
    reason: string;
  } & RequestInfo,
): Promise<void> {
  const [lockout] = await Promise.all([
    input.usernameKey ? recordPasswordFailure(deps.store, input.usernameKey) : null,
    deps.limits.hit('password-ip', ipSubject(input.ip)),
    deps.limits.hit('password-global', 'all'),
  ]);
  const whom = {
    userId: input.user?.id ?? null,
    subject: input.user ? null : input.typed,
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
