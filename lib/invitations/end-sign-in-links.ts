import 'server-only';
import { endPasswordResetLinks } from '@/lib/auth/password-reset';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { ExpiringStore } from '@/lib/store/expiring-store';

// An email change ends every link that went to the old address (decision 0019): an invitation
// sent to a mistyped address, a reset link asked for before a self-service change. Every path
// that changes an email calls this, inside the transaction that saves the new address, so no
// moment exists where the new address is saved and an old link still works. The reset link
// lives in the expiring store, outside the transaction: it is ended first, and a rollback only
// means asking for a new one. Both links are also bound to the address they were sent to, so a
// path that forgot to call this would still find them refused.

const RESET_LINKS_AT_ONCE = 50;

export type EndedLinks = {
  /** Users whose sent, unused invitation ended. */
  invitationsEnded: string[];
  /** Users with a sent invitation and still no password: a new one now waits to be sent to them. */
  waitingForInvitation: string[];
};

export async function endSignInLinks(
  tx: Prisma.TransactionClient,
  store: ExpiringStore,
  input: {
    userIds: readonly string[];
    now: Date;
    /** The upload making the change, so its "Send pending invitations" sends the new ones. */
    uploadId?: string | null;
  },
): Promise<EndedLinks> {
  const userIds = [...new Set(input.userIds)];
  if (!userIds.length) return { invitationsEnded: [], waitingForInvitation: [] };
  // In parallel, a chunk at a time: a CSV batch can change many addresses, and each user's link
  // costs store round trips while the transaction holds its rows.
  for (let i = 0; i < userIds.length; i += RESET_LINKS_AT_ONCE)
    await Promise.all(
      userIds.slice(i, i + RESET_LINKS_AT_ONCE).map((id) => endPasswordResetLinks(store, id)),
    );

  const open = await tx.invitation.findMany({
    where: { userId: { in: userIds }, usedAt: null, tokenHash: { not: null } },
    select: {
      id: true,
      userId: true,
      expiresAt: true,
      user: { select: { invitationPending: true } },
    },
  });
  const live = open.filter((i) => i.expiresAt && i.expiresAt > input.now);
  // The token hash stays, so the old link can still say why it no longer works.
  await tx.invitation.updateMany({
    where: { id: { in: live.map((i) => i.id) } },
    data: { expiresAt: input.now },
  });
  const invitationsEnded = [...new Set(live.map((i) => i.userId))];
  const waitingForInvitation = [
    ...new Set(open.filter((i) => i.user.invitationPending).map((i) => i.userId)),
  ];
  const alreadyWaiting = new Set(
    (
      await tx.invitation.findMany({
        where: { userId: { in: waitingForInvitation }, usedAt: null, tokenHash: null },
        select: { userId: true },
      })
    ).map((i) => i.userId),
  );
  // Pending (no token): sent later, to the address the account has then.
  await tx.invitation.createMany({
    data: waitingForInvitation
      .filter((userId) => !alreadyWaiting.has(userId))
      .map((userId) => ({ userId, uploadId: input.uploadId ?? null })),
  });
  return { invitationsEnded, waitingForInvitation };
}
