import 'server-only';
import type { AuditEventType } from '@/lib/audit/record-event';
import type { RequestInfo, SignInDeps, SignInUser } from '@/lib/auth/sign-in';
import type { OutgoingMessage } from '@/lib/otp/delivery/sender';
import { lockedForMs } from '@/lib/rate-limit/account-lockout';
import { subjectKey } from '@/lib/rate-limit/rate-limiter';
import { utcMinute } from '@/lib/format-time';

// The lockout email (RC-05). It is sent only for a real, enabled account, and only after the
// response (deps.defer), so neither its work nor its failure shows in the answer's timing (BF-04).
// Every fifth failure starts a lock, tries made while locked included, so a burst of wrong
// passwords starts several locks at once: one claim per name, held as long as the lock announced,
// makes it one email. Decision record: docs/decisions/0011-notifications.md.

const LOCK_NOTICE_FAILED: AuditEventType = 'signin.lock_notice_failed';

/** The claim that a lock of this name was announced; an admin's unlock deletes it. */
export const lockoutNoticeKey = (usernameKey: string) =>
  `lockout-notice:${subjectKey(usernameKey)}`;

/**
 * The email telling an account's owner that its name is locked after failed passwords. Plain
 * text; no code, no link that signs in: the links lead to the ordinary sign-in and reset pages.
 */
export function composeLockoutNotice(input: {
  to: string;
  failures: number;
  at: Date;
  until: Date;
  ip: string | null;
  origin: string;
}): OutgoingMessage {
  const forgot = new URL('/forgot-password', input.origin).toString();
  const signIn = new URL('/login', input.origin).toString();
  return {
    channel: 'email',
    to: input.to,
    subject: 'Your Latchkey account was locked after failed sign-ins',
    text: [
      `Your account was locked after ${input.failures} failed password attempts.`,
      '',
      `When: ${utcMinute(input.at)}`,
      `Locked until: ${utcMinute(input.until)} (more failed attempts lock it for longer)`,
      `IP address of the last attempt: ${input.ip ?? 'unknown'}`,
      '',
      `If this was you, wait until the lock ends and sign in again at ${signIn}, or ask your administrator to unlock your account.`,
      `If it was not you, someone is guessing your password: once the lock ends, change it, or reset it at ${forgot}, and tell your administrator.`,
    ].join('\n'),
  };
}

/**
 * Emails the owner that a failed password started a lock on their name: once per lock they have
 * not yet been told about, whatever the concurrency (the claim is the store's put-if-absent).
 * Best effort, like TD-09 and OTP-13: a failing send is audited, never shown. Meant to run
 * deferred, after the response.
 */
export async function tellOwnerOfLockout(
  deps: Pick<SignInDeps, 'store' | 'senderFor' | 'audit' | 'config'>,
  input: {
    usernameKey: string;
    user: SignInUser;
    failures: number;
    lockMs: number;
    at: number;
  } & RequestInfo,
): Promise<void> {
  const { user } = input;
  if (user.disabled) return;
  // The lock as it stands now: a later failure of the same burst may have lengthened it.
  const lockMs = Math.max(input.lockMs, (await lockedForMs(deps.store, input.usernameKey)) ?? 0);
  if (
    !(await deps.store.putIfAbsent(lockoutNoticeKey(input.usernameKey), { at: input.at }, lockMs))
  )
    return;
  try {
    const email = deps.senderFor('email');
    if (!email) throw new Error('no email sender is configured');
    await email.send(
      composeLockoutNotice({
        to: user.email,
        failures: input.failures,
        at: new Date(input.at),
        until: new Date(input.at + lockMs),
        ip: input.ip,
        origin: deps.config.origin,
      }),
    );
  } catch (error) {
    // Like the new-device notice, only a failure is audited: `signin.locked` already says a lock started.
    await deps.audit({
      type: LOCK_NOTICE_FAILED,
      userId: user.id,
      ip: input.ip,
      userAgent: input.userAgent,
      detail: { error: String(error instanceof Error ? error.message : error) },
    });
  }
}
