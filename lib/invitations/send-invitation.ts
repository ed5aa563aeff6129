import 'server-only';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { recordEvent } from '@/lib/audit/record-event';
import { invitationNotice } from '@/lib/notices/invitation-notice';
import { sendNotice } from '@/lib/notices/send-notice';
import { getSender } from '@/lib/delivery/senders';
import type { Sender } from '@/lib/delivery/sender';
import { invitationLink, invitationTokenHash, newInvitationToken } from './invitation-token';

// Invitation emails for users created without a password (CSV-03). A token is made at send
// time, so the link in the email is the only copy; a failed send is written on the Invitation
// row (and audited) and the row goes back to pending, so "send pending invitations" retries it.

export type SendInvitationsOptions = {
  actorId: string | null;
  /** Defaults to the configured email sender. */
  sender?: Sender | null;
  now?: () => Date;
  origin?: string;
  ttlHours?: number;
  /** Users per database round; sends inside a batch run a few at a time. */
  batchSize?: number;
  concurrency?: number;
};

export type SendInvitationsResult = {
  sent: number;
  failed: { userId: string; error: string }[];
  skipped: number;
};

export async function sendInvitations(
  userIds: readonly string[],
  options: SendInvitationsOptions,
): Promise<SendInvitationsResult> {
  const sender = options.sender === undefined ? getSender('email') : options.sender;
  const now = options.now ?? (() => new Date());
  const origin = options.origin ?? env.APP_ORIGIN;
  const ttlMs = (options.ttlHours ?? env.INVITATION_TTL_HOURS) * 3600_000;
  const batchSize = options.batchSize ?? 100;
  const result: SendInvitationsResult = { sent: 0, failed: [], skipped: 0 };

  for (let start = 0; start < userIds.length; start += batchSize) {
    const ids = userIds.slice(start, start + batchSize);
    // A user who has chosen a password (invitation, reset or change) needs no invitation: its
    // link would be refused anyway (decision 0019).
    const users = await db.user.findMany({
      where: { id: { in: ids }, disabled: false, invitationPending: true },
      select: { id: true, username: true, name: true, email: true },
    });
    result.skipped += ids.length - users.length;
    const queue = [...users];
    const worker = async () => {
      for (let user = queue.shift(); user; user = queue.shift()) {
        const outcome = await sendOne(user, {
          sender,
          now: now(),
          origin,
          ttlMs,
          actorId: options.actorId,
        });
        if (outcome.ok) result.sent += 1;
        else result.failed.push({ userId: user.id, error: outcome.error });
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 5 }, worker));
  }
  return result;
}

type Invitee = { id: string; username: string; name: string | null; email: string };

async function sendOne(
  user: Invitee,
  ctx: { sender: Sender | null; now: Date; origin: string; ttlMs: number; actorId: string | null },
): Promise<{ ok: true } | { ok: false; error: string }> {
  const token = newInvitationToken();
  const expiresAt = new Date(ctx.now.getTime() + ctx.ttlMs);
  // Only the newest link works: earlier unused ones end now.
  await db.invitation.updateMany({
    where: { userId: user.id, usedAt: null, tokenHash: { not: null }, expiresAt: { gt: ctx.now } },
    data: { expiresAt: ctx.now },
  });
  const pending = await db.invitation.findFirst({
    where: { userId: user.id, usedAt: null, tokenHash: null },
    orderBy: { createdAt: 'desc' },
    select: { id: true },
  });
  const invitation = pending
    ? await db.invitation.update({
        where: { id: pending.id },
        data: { tokenHash: invitationTokenHash(token), expiresAt, error: null, sentTo: user.email },
      })
    : await db.invitation.create({
        data: {
          userId: user.id,
          tokenHash: invitationTokenHash(token),
          expiresAt,
          sentTo: user.email,
        },
      });
  const notice = await sendNotice(
    { senderFor: () => ctx.sender },
    {
      kind: 'invitation',
      message: invitationNotice({
        to: user.email,
        username: user.username,
        name: user.name,
        link: invitationLink(ctx.origin, token),
        expiresAt,
      }),
      userId: user.id,
      detail: { invitationId: invitation.id, actorId: ctx.actorId },
    },
  );
  if (!notice.sent) {
    // Back to pending: the token was never delivered, so it must not stay usable.
    await db.invitation.update({
      where: { id: invitation.id },
      data: { tokenHash: null, expiresAt: null, sentAt: null, error: notice.error },
    });
    return { ok: false, error: notice.error };
  }
  await db.invitation.update({
    where: { id: invitation.id },
    data: { sentAt: ctx.now, error: null },
  });
  await recordEvent({
    type: 'invitation.sent',
    userId: user.id,
    detail: {
      invitationId: invitation.id,
      actorId: ctx.actorId,
      expiresAt: expiresAt.toISOString(),
    },
  });
  return { ok: true };
}

/** Users created by an upload whose invitation has not been sent yet (pending or failed). */
export async function pendingInvitationUserIds(uploadId: string, limit: number): Promise<string[]> {
  const rows = await db.invitation.findMany({
    where: { uploadId, tokenHash: null, usedAt: null },
    select: { userId: true },
    orderBy: { createdAt: 'asc' },
    take: limit,
  });
  return [...new Set(rows.map((r) => r.userId))];
}

export async function invitationCounts(
  uploadId: string,
): Promise<{ sent: number; failed: number; pending: number; accepted: number }> {
  const [sent, failed, pending, accepted] = await Promise.all([
    db.invitation.count({ where: { uploadId, sentAt: { not: null } } }),
    db.invitation.count({
      where: { uploadId, tokenHash: null, usedAt: null, error: { not: null } },
    }),
    db.invitation.count({ where: { uploadId, tokenHash: null, usedAt: null, error: null } }),
    db.invitation.count({ where: { uploadId, usedAt: { not: null } } }),
  ]);
  return { sent, failed, pending, accepted };
}
