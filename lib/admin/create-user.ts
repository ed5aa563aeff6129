import 'server-only';
import { randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { hashPassword } from '@/lib/auth/password';
import { noticeDeps } from '@/lib/notices/notice-deps';
import type { FieldErrors, UserInput } from '@/lib/users/user-form';
import { canonicalUsername } from '@/lib/users/username';
import type { Actor, AdminUserDeps } from './admin-actor';
import { ALREADY_USED, duplicateErrors, isUniqueViolation } from './duplicate-errors';
import { inviteUser, type InvitationOutcome } from './invite-user';

export type CreateUserResult =
  { ok: true; id: string; invitation: InvitationOutcome } | { ok: false; errors: FieldErrors };

/**
 * Creates a user without a usable password: the hash is of 256 random bits nobody keeps, so the
 * account cannot be signed in to until its owner sets a password from the invitation emailed now
 * (lib/invitations). A failed invitation does not undo the user: the admin can send it again.
 * Audited with the admin as actor (RC-06).
 */
export async function createUser(
  input: UserInput,
  actor: Actor,
  deps: AdminUserDeps = noticeDeps(),
): Promise<CreateUserResult> {
  const errors = await duplicateErrors(input);
  if (Object.keys(errors).length) return { ok: false, errors };
  let id: string;
  try {
    ({ id } = await db.user.create({
      data: {
        ...input,
        usernameKey: canonicalUsername(input.username),
        passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
        // A phone typed by an admin has not received a code yet (OTP-10).
        phoneVerifiedAt: null,
        invitationPending: true,
      },
      select: { id: true },
    }));
  } catch (error) {
    // Two admins creating the same username at once: the unique index decides.
    if (isUniqueViolation(error)) return { ok: false, errors: { username: ALREADY_USED } };
    throw error;
  }
  await recordEvent({
    type: 'user.created',
    userId: id,
    ip: actor.ip ?? null,
    userAgent: actor.userAgent ?? null,
    detail: {
      actorId: actor.id,
      role: input.role,
      twoFactor: input.twoFactor,
      disabled: input.disabled,
      hasPhone: input.phone !== null,
    },
  });
  return { ok: true, id, invitation: await inviteUser({ userId: id, actor }, deps) };
}
