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
  const tokenHash = invitationTokenHash(token);
  const pending = await db.invitation.findFirst({
    where: { userId: user.id, usedAt: null, tokenHash: null },
    orderBy: { createdAt: 'desc' },
    select: { id: true },
  });
  const invitation = pending
    ? await db.invitation.update({
        where: { id: pending.id },
        data: { tokenHash, expiresAt, error: null, sentTo: user.email, createdAt: ctx.now },
      })
    : await db.invitation.create({
        data: {
          userId: user.id,
          // A row of a user an upload created counts under that upload (decision 0029).
          uploadId: user.uploadId,
          tokenHash,
          expiresAt,
          sentTo: user.email,
          createdAt: ctx.now,
        },
      });
  // Only the newest link works: every other unused one ends now. Newest by when it was made
  // (`createdAt`, set just above), then by id, so that two sends at once (two tabs, two admins)
  // agree on the one that stays instead of each ending the other's. No transaction or lock is
  // needed, and none is taken: on the embedded development database a transaction beside other
  // connections' statements is what broke (decision 0031).
  await db.invitation.updateMany({
    where: {
      userId: user.id,
      id: { not: invitation.id },
      usedAt: null,
      tokenHash: { not: null },
      expiresAt: { gt: ctx.now },
      OR: [{ createdAt: { lt: ctx.now } }, { createdAt: ctx.now, id: { lt: invitation.id } }],
    },
    data: { expiresAt: ctx.now },
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
// none), and rows of the upload without a token: a send that failed, a link ended by an email
// change the upload made, or a pending row an earlier version of the import wrote. Either kind
// counts only while its user still waits: no password chosen yet, and not disabled (the send
// would skip them).

/** Users whose invitation from this upload has not been sent yet (pending or failed). */
export async function pendingInvitationUserIds(uploadId: string, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ userId: string }[]>`
    (SELECT i."userId", 0 AS kind, i."createdAt", i.id FROM "Invitation" i JOIN "User" u ON u.id = i."userId"
      WHERE i."uploadId" = ${uploadId} AND i."tokenHash" IS NULL AND i."usedAt" IS NULL AND ${waits})
    UNION ALL
    (SELECT u.id, 1, u."createdAt", u.id FROM "User" u WHERE ${neverInvited(uploadId)})
    ORDER BY kind, "createdAt", id
    LIMIT ${limit}`;
  return [...new Set(rows.map((r) => r.userId))];
}

/** An upload's invitations, by user: a user with several links (resends) counts once in each. */
export async function invitationCounts(
  uploadId: string,
): Promise<{ sent: number; failed: number; pending: number; accepted: number }> {
  const [counts] = await db.$queryRaw<
    { sent: number; failed: number; pending: number; accepted: number }[]
  >`
    SELECT
      count(DISTINCT i."userId") FILTER (WHERE i."sentAt" IS NOT NULL)::int AS sent,
      count(DISTINCT i."userId") FILTER (
        WHERE i."tokenHash" IS NULL AND i."usedAt" IS NULL AND i.error IS NOT NULL AND ${waits})::int AS failed,
      count(DISTINCT i."userId") FILTER (
        WHERE i."tokenHash" IS NULL AND i."usedAt" IS NULL AND i.error IS NULL AND ${waits})::int
        + (SELECT count(*) FROM "User" u WHERE ${neverInvited(uploadId)})::int AS pending,
      count(DISTINCT i."userId") FILTER (WHERE i."usedAt" IS NOT NULL)::int AS accepted
    FROM "Invitation" i JOIN "User" u ON u.id = i."userId"
    WHERE i."uploadId" = ${uploadId}`;
  return counts!;
}

/** The user `u` still waits for an invitation: no password chosen, not disabled. */
const waits = Prisma.sql`u."invitationPending" AND NOT u.disabled`;

/** A user the upload created who still waits for a first invitation (no Invitation row yet). */
const neverInvited = (uploadId: string) => Prisma.sql`u."uploadId" = ${uploadId} AND ${waits}
  AND NOT EXISTS (SELECT 1 FROM "Invitation" i WHERE i."userId" = u.id)`;
