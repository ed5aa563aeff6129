import 'server-only';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import type { Prisma } from '@/lib/generated/prisma/client';
import { deriveTypedNameKey, typedNameSubject } from './typed-name';

// Every authentication event lands here. Details never carry a password, code or token (RC-06):
// callers pass only channel names, masked destinations, counts and reasons.
export type AuditEventType =
  | 'signin.password_failed'
  | 'signin.password_ok'
  | 'signin.succeeded'
  | 'signin.rejected'
  | 'signin.locked'
  | 'signin.unlocked'
  | 'signin.lock_notice_failed'
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
  | 'notice.failed'
  | 'backup_code.used'
  | 'two_step.changed'
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
  | 'audit.exported'
  | 'invitation.sent'
  | 'invitation.send_failed'
  | 'invitation.accepted'
  | 'invitation.refused'
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
  /**
   * The username as typed, for events that matched no user (or were refused before looking):
   * stored only as its keyed hash, `unknown:<16 hex>` (lib/audit/typed-name.ts).
   */
  typedUsername?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Prisma.InputJsonValue;
};

// PostgreSQL text and jsonb cannot hold U+0000: a typed username with a NUL byte would make the
// audit write fail, and with it the request. Typed text is attacker-controlled, so it is cleaned.
const withoutNul = (text: string) => text.replaceAll('\0', '\uFFFD');

function cleanDetail(value: Prisma.InputJsonValue): Prisma.InputJsonValue {
  if (typeof value === 'string') return withoutNul(value);
  if (Array.isArray(value)) return value.map((v) => (v === null ? v : cleanDetail(v)));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        withoutNul(k),
        v === null || v === undefined ? v : cleanDetail(v as Prisma.InputJsonValue),
      ]),
    );
  }
  return value;
}

let typedNameKey: Buffer | undefined;
/** The subject column for a typed username: its keyed hash, never the text. */
export function typedUsernameSubject(typed: string): string {
  typedNameKey ??= deriveTypedNameKey(env.AUTH_SECRET);
  return typedNameSubject(typedNameKey, typed);
}

/** The columns of one audit row, cleaned as every writer must (NUL bytes, lengths, typed names). */
export function auditRow(event: AuditEventInput) {
  return {
    type: event.type,
    userId: event.userId ?? null,
    subject:
      event.typedUsername === null || event.typedUsername === undefined
        ? null
        : typedUsernameSubject(event.typedUsername),
    ip: event.ip ?? null,
    userAgent:
      event.userAgent === null || event.userAgent === undefined
        ? null
        : withoutNul(event.userAgent.slice(0, 500)),
    detail: event.detail === undefined ? undefined : cleanDetail(event.detail),
  };
}

export async function recordEvent(event: AuditEventInput): Promise<void> {
  await db.auditEvent.create({ data: auditRow(event) });
}
