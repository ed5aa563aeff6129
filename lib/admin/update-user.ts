import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { endAllSessions } from '@/lib/auth/session-record';
import { revokeAllTrustedDevices } from '@/lib/devices/trusted-devices';
import { endSignInLinks } from '@/lib/invitations/end-sign-in-links';
import { getExpiringStore } from '@/lib/store/store';
import { noticeDeps } from '@/lib/notices/notice-deps';
import type { FieldErrors, UserInput } from '@/lib/users/user-form';
import { canonicalUsername } from '@/lib/users/username';
import type { Actor, AdminUserDeps } from './admin-actor';
import { announceUserEdit } from './announce-user-edit';
import { ALREADY_USED, duplicateErrors, isUniqueViolation } from './duplicate-errors';
import { detailFields } from './get-user-detail';

export type UpdateUserResult =
  | {
      ok: true;
      changed: (keyof UserInput)[];
      /** A new email ended an invitation of a user with no password yet: send a new one. */
      invitationEnded?: boolean;
    }
  | { ok: false; reason: 'invalid'; errors: FieldErrors }
  | { ok: false; reason: 'not-found' };

/**
 * Saves an edit and carries out what it implies: a new email or phone revokes trusted devices
 * (TD-06), makes the new phone unverified and tells the old address (OTP-10); a new email also
 * ends every unused invitation and reset link, in the transaction that saves it (decision 0019);
 * disabling ends every session and device (SE-06, TD-06); every change is audited with the admin
 * as actor (RC-06).
 * Trust ends here, before the save; the notices and audit events come after it
 * (announce-user-edit.ts).
 */
export async function updateUser(
  id: string,
  input: UserInput,
  actor: Actor,
  deps: AdminUserDeps = noticeDeps(),
): Promise<UpdateUserResult> {
  const before = await db.user.findUnique({
    where: { id },
    select: { ...detailFields, usernameKey: true },
  });
  if (!before) return { ok: false, reason: 'not-found' };
  // An admin cannot lock themselves out by accident; another admin can do it for them.
  const selfErrors: FieldErrors =
    actor.id === id
      ? {
          ...(input.disabled ? { disabled: 'You cannot disable your own account.' } : {}),
          ...(input.role !== 'admin' ? { role: 'You cannot remove your own admin role.' } : {}),
        }
      : {};
  const errors = { ...(await duplicateErrors(input, id)), ...selfErrors };
  if (Object.keys(errors).length) return { ok: false, reason: 'invalid', errors };

  const changed = (Object.keys(input) as (keyof UserInput)[]).filter(
    (field) => input[field] !== before[field],
  );
  if (!changed.length) return { ok: true, changed };
  // A change of letter case only is the same mailbox: no new authenticator.
  const emailChanged = input.email.toLowerCase() !== before.email.toLowerCase();
  const phoneChanged = input.phone !== before.phone;
  const disabling = input.disabled && !before.disabled;
  const who = { ip: actor.ip ?? null, userAgent: actor.userAgent ?? null };

  // Trust and sessions end before the new values are saved: if the save then fails, the user
  // signs in with a code again, which is safe; the other order could leave a new phone trusted.
  if (emailChanged || phoneChanged) {
    await revokeAllTrustedDevices({
      userId: id,
      reason: emailChanged ? 'email-changed' : 'phone-changed',
      actorId: actor.id,
      ...who,
    });
  }
  // A two-factor switch is a 2FA reset (TD-06): trust granted under the old setting must not
  // outlive it (turned back on later, an old device would otherwise skip the code again).
  if (input.twoFactor !== before.twoFactor && !emailChanged && !phoneChanged) {
    await revokeAllTrustedDevices({
      userId: id,
      reason: 'two-factor-reset',
      actorId: actor.id,
      ...who,
    });
  }
  if (disabling) {
    const sessions = await endAllSessions(id);
    await recordEvent({
      type: 'sessions.revoked',
      userId: id,
      ...who,
      detail: { reason: 'account-disabled', count: sessions, actorId: actor.id },
    });
    await revokeAllTrustedDevices({
      userId: id,
      reason: 'account-disabled',
      actorId: actor.id,
      ...who,
    });
  }

  let invitationEnded = false;
  try {
    await db.$transaction(async (tx) => {
      if (emailChanged) {
        const ended = await endSignInLinks(tx, getExpiringStore(), {
          userIds: [id],
          now: deps.now(),
        });
        invitationEnded = ended.waitingForInvitation.length > 0;
      }
      await tx.user.update({
        where: { id },
        data: {
          ...input,
          usernameKey: canonicalUsername(input.username),
          ...(phoneChanged ? { phoneVerifiedAt: null } : {}),
          ...(emailChanged ? { emailVerified: null } : {}),
        },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      return { ok: false, reason: 'invalid', errors: { username: ALREADY_USED } };
    throw error;
  }

  await announceUserEdit({ id, before, input, changed, actor }, deps);
  return { ok: true, changed, ...(invitationEnded ? { invitationEnded } : {}) };
}
