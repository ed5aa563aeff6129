import 'server-only';
import { recordEvent, type AuditEventInput, type AuditEventType } from '@/lib/audit/record-event';
import type { Prisma } from '@/lib/generated/prisma/client';
import { maskDestinationsIn } from '@/lib/delivery/mask-destination';
import type { Channel, OutgoingMessage, Sender } from '@/lib/delivery/sender';
import { withEmailParts } from '@/lib/email/email-parts';

// Every notice (an email that carries no code) goes out through sendNotice, so a failed delivery
// is handled one way: the change it reports stands, and the failure is audited with the notice's
// kind and the error, never the message (RC-06), whatever the caller does next.

export type NoticeKind =
  | 'new-device'
  | 'device-removed'
  | 'lockout'
  | 'wrong-codes'
  | 'password-changed'
  | 'password-reset-link'
  | 'contact-changed'
  | 'contact-changed-by-upload'
  | 'two-factor-changed'
  | 'two-step-method-changed'
  | 'backup-code-used'
  | 'invitation';

// Notices whose failures were audited before this module existed keep their event types: the
// audit page's filters and the tests look for them. The others share one.
const NOTICE_FAILED: AuditEventType = 'notice.failed';
const FAILURE_EVENT: Record<NoticeKind, AuditEventType> = {
  'new-device': 'device.notice_failed',
  'device-removed': 'device.notice_failed',
  lockout: 'signin.lock_notice_failed',
  'wrong-codes': 'code.failures_notice_failed',
  'password-reset-link': 'password.reset_send_failed',
  invitation: 'invitation.send_failed',
  'password-changed': NOTICE_FAILED,
  'contact-changed': NOTICE_FAILED,
  'contact-changed-by-upload': NOTICE_FAILED,
  'two-factor-changed': NOTICE_FAILED,
  'two-step-method-changed': NOTICE_FAILED,
  'backup-code-used': NOTICE_FAILED,
};

export type SendNoticeDeps = {
  senderFor(channel: Channel): Sender | null;
  /** Where the failure is written; recordEvent unless the caller collects its own trail. */
  audit?: (event: AuditEventInput) => Promise<void>;
};

export type SendNoticeInput = {
  message: OutgoingMessage;
  kind: NoticeKind;
  /** The account the notice is about (null: none yet). */
  userId: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** More for the audit row on failure: ids and counts, never the message or a secret. */
  detail?: Record<string, Prisma.InputJsonValue | null>;
};

export type NoticeOutcome = { sent: true } | { sent: false; error: string };

/**
 * Provider errors are short; the cap keeps a verbose one from bloating the audit row. They may
 * quote the recipient: destinations are masked first, so no cut leaves part of one (RC-06).
 */
const errorText = (error: unknown, to: string) =>
  maskDestinationsIn(error instanceof Error ? error.message : String(error), [to]).slice(0, 500);

/**
 * Sends a notice. A failure (no sender configured, or the send) is audited and returned, not
 * thrown: the caller's change has happened and must not be undone by a mailbox. `rethrow` is
 * for a caller that has to abort, and gets the original error after the audit.
 */
export async function sendNotice(
  deps: SendNoticeDeps,
  notice: SendNoticeInput,
  options: { rethrow?: boolean } = {},
): Promise<NoticeOutcome> {
  // A one-time code goes out only through sendChallengeCode, behind the channel policy and its
  // limits; a notice that carried one would be a way around them.
  if (notice.message.code !== undefined)
    throw new TypeError('A notice must not carry a one-time code (use sendChallengeCode).');
  try {
    const sender = deps.senderFor(notice.message.channel);
    if (!sender) throw new Error(`No ${notice.message.channel} delivery is configured.`);
    await sender.send(await withEmailParts(notice.message));
    return { sent: true };
  } catch (error) {
    const text = errorText(error, notice.message.to);
    try {
      await (deps.audit ?? recordEvent)({
        type: FAILURE_EVENT[notice.kind],
        userId: notice.userId,
        ip: notice.ip ?? null,
        userAgent: notice.userAgent ?? null,
        detail: { notice: notice.kind, ...notice.detail, error: text },
      });
    } catch (auditError) {
      // The audit is the only trace of the failure: say so in the server log rather than throw.
      console.error(`${notice.kind} notice: could not audit its failure`, auditError);
    }
    if (options.rethrow) throw error;
    return { sent: false, error: text };
  }
}
