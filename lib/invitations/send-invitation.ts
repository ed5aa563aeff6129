import 'server-only';
import { db } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
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
      select: { id: true, username: true, name: true, email: true, uploadId: true },
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

type Invitee = {
  id: string;
  username: string;
  name: string | null;
  email: string;
  uploadId: string | null;
};

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
          // A user an upload created counts under that upload from its first send (decision 0029).
          uploadId: user.uploadId,
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

// An upload's pending invitations are of two kinds (decision 0029): the users it created that
// still wait for their first invitation, which have no Invitation row at all (the import writes
// none), and rows without a token: a send that failed, a link ended by an email change, or a
// pending row an earlier version of the import wrote.

/** Users created by an upload whose invitation has not been sent yet (pending or failed). */
export async function pendingInvitationUserIds(uploadId: string, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ userId: string }[]>`
    (SELECT "userId", 0 AS kind, "createdAt", id FROM "Invitation"
      WHERE "uploadId" = ${uploadId} AND "tokenHash" IS NULL AND "usedAt" IS NULL)
    UNION ALL
    (SELECT u.id, 1, u."createdAt", u.id FROM "User" u
      WHERE ${neverInvited(uploadId)})
    ORDER BY kind, "createdAt", id
    LIMIT ${limit}`;
  return [...new Set(rows.map((r) => r.userId))];
}

export async function invitationCounts(
  uploadId: string,
): Promise<{ sent: number; failed: number; pending: number; accepted: number }> {
  const [counts] = await db.$queryRaw<
    { sent: number; failed: number; pending: number; accepted: number }[]
  >`
    SELECT
      count(*) FILTER (WHERE "sentAt" IS NOT NULL)::int AS sent,
      count(*) FILTER (WHERE "tokenHash" IS NULL AND "usedAt" IS NULL AND error IS NOT NULL)::int AS failed,
      count(*) FILTER (WHERE "tokenHash" IS NULL AND "usedAt" IS NULL AND error IS NULL)::int
        + (SELECT count(*) FROM "User" u WHERE ${neverInvited(uploadId)})::int AS pending,
      count(*) FILTER (WHERE "usedAt" IS NOT NULL)::int AS accepted
    FROM "Invitation" WHERE "uploadId" = ${uploadId}`;
  return counts!;
}

/** A user the upload created who still waits for a first invitation (no Invitation row yet). */
const neverInvited = (uploadId: string) => Prisma.sql`u."uploadId" = ${uploadId}
  AND u."invitationPending"
  AND NOT EXISTS (SELECT 1 FROM "Invitation" i WHERE i."userId" = u.id)`;
