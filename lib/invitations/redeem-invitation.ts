import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { hashPassword } from '@/lib/auth/password';
import { checkPasswordPolicy } from '@/lib/auth/password-policy';
import { invitationTokenHash, isWellFormedInvitationToken } from './invitation-token';

// The set-password step of an invitation (CSV-03, RC-02, RC-03). Opening the link changes
// nothing (a GET may be a mail scanner); only the form's POST uses it, once. Setting the password
// does not sign anyone in: the user then signs in with password and code like everyone else.

export type InvitationState =
  | { ok: true; invitationId: string; userId: string; username: string; email: string }
  | { ok: false; reason: 'invalid' | 'expired' | 'used' };

export async function findInvitation(token: unknown, now = new Date()): Promise<InvitationState> {
  if (!isWellFormedInvitationToken(token)) return { ok: false, reason: 'invalid' };
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: invitationTokenHash(token) },
    select: {
      id: true,
      usedAt: true,
      expiresAt: true,
      user: { select: { id: true, username: true, email: true, disabled: true } },
    },
  });
  if (!invitation || invitation.user.disabled) return { ok: false, reason: 'invalid' };
  if (invitation.usedAt) return { ok: false, reason: 'used' };
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
  | { ok: false; reason: 'invalid' | 'expired' | 'used' }
  | { ok: false; reason: 'weak'; message: string };

export async function redeemInvitation(
  token: string,
  password: string,
  context: { now?: Date; ip?: string | null; userAgent?: string | null } = {},
): Promise<RedeemResult> {
  const now = context.now ?? new Date();
  const found = await findInvitation(token, now);
  if (!found.ok) return found;
  // Any account may trust a browser and then sign in there with the password alone (PW-01).
  const policy = checkPasswordPolicy(password, {
    username: found.username,
    email: found.email,
    canBeOnlyFactor: true,
  });
  if (!policy.ok) return { ok: false, reason: 'weak', message: policy.message };
  const passwordHash = await hashPassword(password);
  const used = await db.$transaction(async (tx) => {
    // The claim and the password land together; of two racing submissions one claims it.
    const { count } = await tx.invitation.updateMany({
      where: { id: found.invitationId, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (count !== 1) return false;
    await tx.user.update({ where: { id: found.userId }, data: { passwordHash } });
    // Other links for this user stop working too, and nothing is left pending to resend.
    await tx.invitation.deleteMany({
      where: { userId: found.userId, usedAt: null, id: { not: found.invitationId } },
    });
    return true;
  });
  if (!used) return { ok: false, reason: 'used' };
  const who = { ip: context.ip ?? null, userAgent: context.userAgent ?? null };
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
