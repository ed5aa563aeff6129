import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { hashPassword } from '@/lib/auth/password';
import { checkPasswordPolicy } from '@/lib/auth/password-policy';
import { invitationTokenHash, isWellFormedInvitationToken } from './invitation-token';

// The set-password step of an invitation (CSV-03, RC-02, RC-03). Opening the link changes
// nothing (a GET may be a mail scanner); only the form's POST uses it, once. Setting the password
// does not sign anyone in: the user then signs in with password and code like everyone else.
// A link works only while the account's email is the address it was sent to, and never replaces
// a password the owner already chose (docs/decisions/0019-links-end-on-email-change.md).

/** Why a link is refused. `address-changed`: the email changed since it was sent; `password-set`:
 * the account already has a password of its owner's (reset, change, or an earlier invitation). */
export type InvitationRefusal = 'invalid' | 'expired' | 'used' | 'address-changed' | 'password-set';

export type InvitationState =
  | { ok: true; invitationId: string; userId: string; username: string; email: string }
  | { ok: false; reason: InvitationRefusal };

export async function findInvitation(token: unknown, now = new Date()): Promise<InvitationState> {
  if (!isWellFormedInvitationToken(token)) return { ok: false, reason: 'invalid' };
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: invitationTokenHash(token) },
    select: {
      id: true,
      usedAt: true,
      expiresAt: true,
      sentTo: true,
      user: {
        select: { id: true, username: true, email: true, disabled: true, invitationPending: true },
      },
    },
  });
  if (!invitation || invitation.user.disabled) return { ok: false, reason: 'invalid' };
  if (invitation.usedAt) return { ok: false, reason: 'used' };
  if (invitation.sentTo?.toLowerCase() !== invitation.user.email.toLowerCase())
    return { ok: false, reason: 'address-changed' };
  if (!invitation.user.invitationPending) return { ok: false, reason: 'password-set' };
  if (!invitation.expiresAt || invitation.expiresAt <= now) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    invitationId: invitation.id,
    userId: invitation.user.id,
    username: invitation.user.username,
    email: invitation.user.email,
  };
}

export type RedeemResult =
  | { ok: true; username: string }
  | { ok: false; reason: InvitationRefusal }
  | { ok: false; reason: 'weak'; message: string };

export async function redeemInvitation(
  token: string,
  password: string,
  context: { now?: Date; ip?: string | null; userAgent?: string | null } = {},
): Promise<RedeemResult> {
  const now = context.now ?? new Date();
  const who = { ip: context.ip ?? null, userAgent: context.userAgent ?? null };
  const found = await findInvitation(token, now);
  if (!found.ok) {
    if (found.reason === 'address-changed' || found.reason === 'password-set')
      await refused(token, found.reason, who);
    return found;
  }
  // Any account may trust a browser and then sign in there with the password alone (PW-01).
  const policy = checkPasswordPolicy(password, {
    username: found.username,
    email: found.email,
    canBeOnlyFactor: true,
  });
  if (!policy.ok) return { ok: false, reason: 'weak', message: policy.message };
  const passwordHash = await hashPassword(password);
  const outcome = await db
    .$transaction(async (tx) => {
      // The claim and the password land together; of two racing submissions one claims it.
      const { count } = await tx.invitation.updateMany({
        where: { id: found.invitationId, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (count !== 1) return 'used' as const;
      // Only while the owner has no password and the address is still the one the link went to:
      // a reset or an email change between the check above and here wins over the link.
      const set = await tx.user.updateMany({
        where: {
          id: found.userId,
          invitationPending: true,
          email: { equals: found.email, mode: 'insensitive' },
        },
        data: { passwordHash, invitationPending: false },
      });
      if (set.count !== 1) throw new Refused();
      // Other links for this user stop working too, and nothing is left pending to resend.
      await tx.invitation.deleteMany({
        where: { userId: found.userId, usedAt: null, id: { not: found.invitationId } },
      });
      return 'ok' as const;
    })
    .catch((error: unknown) => {
      if (error instanceof Refused) return 'refused' as const;
      throw error;
    });
  if (outcome === 'refused') {
    // Rolled back: find out again why, so the person is told the right thing.
    const again = await findInvitation(token, now);
    const reason = again.ok ? 'password-set' : again.reason;
    if (reason === 'address-changed' || reason === 'password-set')
      await refused(token, reason, who);
    return { ok: false, reason };
  }
  if (outcome === 'used') return { ok: false, reason: 'used' };
  await recordEvent({
    type: 'invitation.accepted',
    userId: found.userId,
    ...who,
    detail: { invitationId: found.invitationId },
  });
  await recordEvent({
    type: 'password.set',
    userId: found.userId,
    ...who,
    detail: { via: 'invitation' },
  });
  return { ok: true, username: found.username };
}

class Refused extends Error {}

/** A link refused for what happened to the account since it was sent is audited (RC-06). */
async function refused(
  token: string,
  reason: 'address-changed' | 'password-set',
  who: { ip: string | null; userAgent: string | null },
) {
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: invitationTokenHash(token) },
    select: { id: true, userId: true },
  });
  await recordEvent({
    type: 'invitation.refused',
    userId: invitation?.userId ?? null,
    ...who,
    detail: { invitationId: invitation?.id ?? null, reason },
  });
}
