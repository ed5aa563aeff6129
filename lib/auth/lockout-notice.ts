import 'server-only';
import type { AuditEventInput } from '@/lib/audit/record-event';
import { lockoutNotice } from '@/lib/notices/lockout-notice';
import { sendNotice } from '@/lib/notices/send-notice';
import type { Channel, Sender } from '@/lib/delivery/sender';
import { lockedForMs } from '@/lib/rate-limit/account-lockout';
import { subjectKey } from '@/lib/rate-limit/rate-limiter';
import type { ExpiringStore } from '@/lib/store/expiring-store';

// The lockout email (RC-05). It is sent only for a real, enabled account, and only after the
// response (deps.defer), so neither its work nor its failure shows in the answer's timing (BF-04).
// Every fifth failure starts a lock, tries made while locked included, so a burst of wrong
// passwords starts several locks at once: one claim per name, held as long as the lock announced,
// makes it one email. Decision record: docs/decisions/0011-notifications.md.

/** The claim that a lock of this name was announced; an admin's unlock deletes it. */
export const lockoutNoticeKey = (usernameKey: string) =>
  `lockout-notice:${subjectKey(usernameKey)}`;

/** What the notice needs of the sign-in's collaborators (SignInDeps has them all). */
export type LockoutNoticeDeps = {
  store: ExpiringStore;
  senderFor(channel: Channel): Sender | null;
  audit(event: AuditEventInput): Promise<void>;
  config: { origin: string };
};

/**
 * Emails the owner that a failed password started a lock on their name: once per lock they have
 * not yet been told about, whatever the concurrency (the claim is the store's put-if-absent).
 * Best effort, like TD-09 and OTP-13: a failing send is audited, never shown. Meant to run
 * deferred, after the response.
 */
export async function tellOwnerOfLockout(
  deps: LockoutNoticeDeps,
  input: {
    usernameKey: string;
    user: { id: string; email: string; disabled: boolean };
    failures: number;
    lockMs: number;
    at: number;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<void> {
  const { user } = input;
  if (user.disabled) return;
  // The lock as it stands now: a later failure of the same burst may have lengthened it.
  const lockMs = Math.max(input.lockMs, (await lockedForMs(deps.store, input.usernameKey)) ?? 0);
  if (
    !(await deps.store.putIfAbsent(lockoutNoticeKey(input.usernameKey), { at: input.at }, lockMs))
  )
    return;
  // Only a failure is audited (by sendNotice): `signin.locked` already says a lock started.
  await sendNotice(deps, {
    kind: 'lockout',
    message: lockoutNotice({
      to: user.email,
      failures: input.failures,
      at: new Date(input.at),
      until: new Date(input.at + lockMs),
      ip: input.ip,
      origin: deps.config.origin,
    }),
    userId: user.id,
    ip: input.ip,
    userAgent: input.userAgent,
  });
}
