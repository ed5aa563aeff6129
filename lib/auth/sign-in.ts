import type { AuditEventInput } from '@/lib/audit/record-event';
import type { TimedAuditEvent } from '@/lib/auth/session-record';
import { createTicket, handOver, takeHandoff, takeVerifiedTicket } from '@/lib/auth/login-ticket';
import { passwordLimitRefusal, recordFailedPassword } from '@/lib/auth/sign-in-limits';
import type {
  DeviceGrant,
  Limited,
  RequestInfo,
  SignInDeps,
  SignInMethod,
} from '@/lib/auth/sign-in-types';
import { newChallengeId } from '@/lib/challenges/challenge';
import { rolePolicy } from '@/lib/policy/sign-in-policy';
import {
  clearPasswordFailures,
  countPasswordAttempt,
  uncountPasswordAttempt,
} from '@/lib/rate-limit/account-lockout';
import { canonicalUsername } from '@/lib/users/username';

// The sign-in's first and last steps: password → (ticket, or a proof handed over in-process) and
// proof → session. The code step is sign-in-code.ts, the device name sign-in-device.ts.

export type PasswordResult =
  | { ok: true; ticketId: string; next: 'method' | 'session'; device?: DeviceGrant }
  | { ok: false; reason: 'invalid' }
  | Limited;

/**
 * Step 1. Unknown user, wrong password, disabled and locked account give one answer, in the
 * same time: the password is always hashed, against a dummy hash when there is no user (PW-10)
 * or the name is locked (BF-01), and every failure is counted against the name, known or not.
 */
export async function submitPassword(
  deps: SignInDeps,
  input: { username: string; password: string; deviceToken?: string } & RequestInfo,
): Promise<PasswordResult> {
  const who = { ip: input.ip, userAgent: input.userAgent };
  const usernameKey = canonicalUsername(input.username);
  // The address and global limits are decided before any account is looked at, so the answer is
  // alike for every username (BF-05, BF-04). In the same step the attempt is counted against the
  // name, atomically and before the hash, which answers whether the name is locked: so a lock
  // takes effect inside a burst of parallel tries, on every instance (BF-01, BF-02).
  const [limited, attempt] = await Promise.all([
    passwordLimitRefusal(deps, input),
    usernameKey ? countPasswordAttempt(deps.store, usernameKey) : null,
  ]);
  if (limited) {
    // Refused before it was judged: only failures count against a name (BF-05).
    if (attempt) await uncountPasswordAttempt(deps.store, attempt);
    return limited;
  }

  const locked = attempt?.lockedForMs ?? null;
  // PostgreSQL text cannot hold U+0000, and no username contains it: such input matches nobody.
  const user =
    usernameKey && !usernameKey.includes('\u0000')
      ? await deps.users.findByUsernameKey(usernameKey)
      : null;
  // While locked the real hash is not consulted: the right password gets the dummy's answer and
  // time, so trying it tells nothing (BF-01).
  const check = await deps.passwords.check(input.password, locked ? undefined : user?.passwordHash);
  if (locked || !check.ok || !user || user.disabled) {
    const reason = locked
      ? 'locked'
      : !user
        ? 'unknown-user'
        : user.disabled && check.ok
          ? 'disabled'
          : 'wrong-password';
    await recordFailedPassword(deps, {
      usernameKey,
      user,
      typed: input.username,
      reason,
      attempt,
      ...who,
    });
    return { ok: false, reason: 'invalid' };
  }
  // The right password: the name's count (this attempt, any failures before it, and a lock this
  // attempt started) is forgotten. It goes out beside the step's next request (one pipeline with
  // the ticket's write on Upstash) and is awaited before the answer, so a store that fails it
  // fails the sign-in (AV-01).
  const released = clearPasswordFailures(deps.store, usernameKey);
  released.catch(() => undefined); // awaited below; this only stops an early unhandled rejection
  if (check.needsRehash) {
    await deps.users.updatePasswordHash(user.id, await deps.passwords.hash(input.password));
    await deps.audit({ type: 'password.rehashed', userId: user.id, ...who });
  }

  const now = deps.now();
  const passwordOnly =
    !user.twoFactor &&
    !deps.config.requireTwoFactor &&
    !rolePolicy(deps.config.policy, user.role).requireTwoFactor;
  // A trusted browser skips the code, never the password: it is checked only now (TD-05: the
  // token must belong to this user; TD-03: the database decides; TD-04: it rotates).
  const device =
    passwordOnly || !input.deviceToken
      ? null
      : await deps.devices.redeem({
          token: input.deviceToken,
          userId: user.id,
          now: new Date(now),
          ...who,
        });
  const method: SignInMethod | null = passwordOnly
    ? 'password-only'
    : device
      ? 'trusted-device'
      : null;
  const passwordOk: AuditEventInput = {
    type: 'signin.password_ok',
    userId: user.id,
    ...who,
    detail: { next: method ?? 'code' },
  };
  if (method) {
    // Proven: no ticket in the store. The proof waits in this process for the Credentials
    // provider, which this same request calls next; its audit rows go with the session's.
    const id = newChallengeId();
    const used: TimedAuditEvent[] = device
      ? [
          {
            type: 'device.used',
            userId: user.id,
            ...who,
            detail: { deviceId: device.deviceId },
            at: new Date(now),
          },
        ]
      : [];
    await released;
    handOver<TimedAuditEvent>(
      id,
      { userId: user.id, method, events: [{ ...passwordOk, at: new Date(now) }, ...used] },
      now,
    );
    return { ok: true, ticketId: id, next: 'session', ...(device ? { device } : {}) };
  }
  const [{ id }] = await Promise.all([
    createTicket(deps.store, { userId: user.id, ttlSeconds: deps.config.ticketTtlSeconds, now }),
    released,
  ]);
  await deps.audit(passwordOk);
  return { ok: true, ticketId: id, next: 'method' };
}

/**
 * The only way to a session: consumes a proven sign-in once, the in-process handoff of this
 * request or else a verified ticket in the store (the device-name step's), and ends it with one
 * statement (lastSignInAt, audit rows, session row). Called by the Auth.js Credentials
 * provider's authorize(); concurrent calls with one ticket yield one session (OTP-03).
 */
export async function completeSignIn(
  deps: SignInDeps,
  input: { ticketId: string } & RequestInfo,
): Promise<{ userId: string; method: SignInMethod; sessionId: string } | null> {
  const now = deps.now();
  const handoff = takeHandoff<TimedAuditEvent>(input.ticketId, now);
  const verified = handoff ? null : await takeVerifiedTicket(deps.store, input.ticketId, now);
  // An admin who has not finished setting up a factor gets no session, whichever step asks.
  if (verified?.enrol) return null;
  const proof = handoff ?? verified;
  if (!proof) return null;
  const userId = proof.userId;
  const method = proof.method ?? 'code';
  const who = { ip: input.ip, userAgent: input.userAgent };
  const succeeded: TimedAuditEvent = {
    type: 'signin.succeeded',
    userId,
    ...who,
    detail: { method },
    at: new Date(now),
  };
  // The statement itself refuses a user who is gone or was disabled since the proof (it writes
  // nothing then), so the user is not read first: one statement fewer for every sign-in by code.
  const started = await deps.sessions.start({
    userId,
    ...who,
    at: new Date(now),
    events: [...(handoff?.events ?? []), succeeded],
  });
  if (!started) return null;
  // Email codes are blocked after a reset only while no other factor has been used (RC-04).
  if (started.emailCodesBlocked && method !== 'password-only' && method !== 'trusted-device')
    await deps.users.unblockEmailCodes(userId);
  return { userId, method, sessionId: started.sessionId };
}
