import 'server-only';
import { db } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';

// Every authentication event lands here. Details never carry a password, code or token (RC-06):
// callers pass only channel names, masked destinations, counts and reasons.
export type AuditEventType =
  | 'signin.password_failed'
  | 'signin.password_ok'
  | 'signin.succeeded'
  | 'signin.rejected'
  | 'signin.locked'
  | 'signin.unlocked'
  | 'ratelimit.hit'
  | 'signout'
  | 'password.rehashed'
  | 'code.sent'
  | 'code.send_failed'
  | 'code.rejected'
  | 'code.burnt'
  | 'code.expired'
  | 'code.failures_notified'
  | 'code.failures_notice_failed'
  | 'device.trusted'
  | 'device.used'
  | 'device.renamed'
  | 'device.deleted'
  | 'device.revoked'
  | 'device.notice_failed'
  | 'sessions.revoked'
  | 'user.created'
  | 'user.updated'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.two_factor_changed'
  | 'contact.change_requested'
  | 'contact.changed'
  | 'contact.change_failed'
  | 'upload.validated'
  | 'upload.imported'
  | 'upload.rejected'
  | 'invitation.sent'
  | 'invitation.send_failed'
  | 'invitation.accepted'
  | 'password.set'
  | 'password.changed'
  | 'password.change_failed'
  | 'password.reset_requested'
  | 'password.reset_send_failed'
  | 'password.reset'
  | 'reauth.confirmed';

export type AuditEventInput = {
  type: AuditEventType;
  userId?: string | null;
  /** The username as typed, for failed sign-ins that matched no user. */
  subject?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Prisma.InputJsonValue;
};

export async function recordEvent(event: AuditEventInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      type: event.type,
      userId: event.userId ?? null,
      subject: event.subject?.slice(0, 200) ?? null,
      ip: event.ip ?? null,
      userAgent: event.userAgent?.slice(0, 500) ?? null,
      detail: event.detail,
    },
  });
}
