import 'server-only';
import { randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { recordEvent } from '@/lib/audit/record-event';
import { hashPassword } from '@/lib/auth/password';
import { endAllSessions } from '@/lib/auth/session-record';
import { removeTrustedDevices } from '@/lib/devices/remove-trusted-devices';
import {
  listTrustedDevices,
  revokeAllTrustedDevices,
  type TrustedDeviceView,
} from '@/lib/devices/trusted-devices';
import { sendInvitations } from '@/lib/invitations/send-invitation';
import { contactChangedNotice, type ContactChange } from '@/lib/notices/contact-changed-notice';
import { noticeDeps, type NoticeDeps } from '@/lib/notices/notice-deps';
import { sendNotice } from '@/lib/notices/send-notice';
import { twoFactorChangedNotice } from '@/lib/notices/two-factor-changed-notice';
import { maskEmail, maskPhone } from '@/lib/otp/mask-destination';
import type { FieldErrors, UserInput } from '@/lib/users/user-form';
import { canonicalUsername } from '@/lib/users/username';

// What an admin does to users: list and search, create, edit, and the consequences of an edit
// that the security rules demand (TD-06, SE-06, OTP-10, RC-05, RC-06). Callers authorise first
// (requireAdmin in every action); these functions trust the actor they are given.

/** The admin making the change, and where the request came from (for the audit trail). */
export type Actor = { id: string; ip?: string | null; userAgent?: string | null };

/** Collaborators for the notices an edit sends; real ones by default. */
export type AdminUserDeps = NoticeDeps;
const realDeps = noticeDeps;

export const ALREADY_USED = 'This is already used by another user.';

const listFields = {
  id: true,
  username: true,
  name: true,
  email: true,
  phone: true,
  role: true,
  twoFactor: true,
  disabled: true,
  lastSignInAt: true,
} as const;
export type UserListItem = Prisma.UserGetPayload<{ select: typeof listFields }>;

export async function listUsers(input: { query?: string; page?: number; pageSize?: number }) {
  const query = (input.query ?? '').trim().slice(0, 100);
  const pageSize = Math.min(100, Math.max(1, Math.floor(input.pageSize ?? 25)));
  const insensitive = { contains: query, mode: 'insensitive' as const };
  // "415 555-0100" should find +14155550100: phones are stored in E.164, so search their digits too.
  const digits = /^[\d\s().+-]+$/.test(query) ? query.replace(/\D/g, '') : '';
  const where: Prisma.UserWhereInput = query
    ? {
        OR: [
          { username: insensitive },
          { name: insensitive },
          { email: insensitive },
          { phone: { contains: query } },
          ...(digits.length >= 3 ? [{ phone: { contains: digits } }] : []),
        ],
      }
    : {};
  const total = await db.user.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(pageCount, Math.max(1, Math.floor(input.page ?? 1) || 1));
  const users = await db.user.findMany({
    where,
    orderBy: [{ usernameKey: 'asc' }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: listFields,
  });
  return { users, total, page, pageSize, pageCount, query };
}

export type AuditEventView = {
  id: string;
  type: string;
  createdAt: Date;
  ip: string | null;
  detail: Prisma.JsonValue;
};
export type UserDetail = Prisma.UserGetPayload<{ select: typeof detailFields }> & {
  devices: TrustedDeviceView[];
  events: AuditEventView[];
};
const detailFields = {
  ...listFields,
  phoneVerifiedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** One user with their trusted devices and their last 20 audit events; null when there is none. */
export async function getUserDetail(id: string): Promise<UserDetail | null> {
  const user = await db.user.findUnique({ where: { id }, select: detailFields });
  if (!user) return null;
  const [devices, events] = await Promise.all([
    listTrustedDevices(id, undefined),
    db.auditEvent.findMany({
      where: { userId: id },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 20,
      select: { id: true, type: true, createdAt: true, ip: true, detail: true },
    }),
  ]);
  return { ...user, devices, events };
}

/** Username (canonical) and email (case-insensitive) must each belong to one user only. */
async function duplicateErrors(input: UserInput, exceptId?: string): Promise<FieldErrors> {
  const others = exceptId ? { id: { not: exceptId } } : {};
  const [byUsername, byEmail] = await Promise.all([
    db.user.findFirst({
      where: { usernameKey: canonicalUsername(input.username), ...others },
      select: { id: true },
    }),
    db.user.findFirst({
      where: { email: { equals: input.email, mode: 'insensitive' }, ...others },
      select: { id: true },
    }),
  ]);
  return {
    ...(byUsername ? { username: ALREADY_USED } : {}),
    ...(byEmail ? { email: ALREADY_USED } : {}),
  };
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/** What became of the set-password invitation: a disabled user is not invited. */
export type InvitationOutcome = 'sent' | 'failed' | 'skipped';
export type CreateUserResult =
  { ok: true; id: string; invitation: InvitationOutcome } | { ok: false; errors: FieldErrors };

/**
 * Creates a user without a usable password: the hash is of 256 random bits nobody keeps, so the
 * account cannot be signed in to until its owner sets a password from the invitation emailed now
 * (lib/invitations). A failed invitation does not undo the user: the admin can send it again.
 */
export async function createUser(
  input: UserInput,
  actor: Actor,
  deps: AdminUserDeps = realDeps(),
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

/** Emails a set-password invitation (a new link; earlier ones stop working). Audited by lib/invitations. */
export async function inviteUser(
  input: { userId: string; actor: Actor },
  deps: AdminUserDeps = realDeps(),
): Promise<InvitationOutcome> {
  const result = await sendInvitations([input.userId], {
    actorId: input.actor.id,
    sender: deps.senderFor('email'),
    origin: deps.origin,
    now: deps.now,
  });
  return result.sent ? 'sent' : result.failed.length ? 'failed' : 'skipped';
}

export type UpdateUserResult =
  | { ok: true; changed: (keyof UserInput)[] }
  | { ok: false; reason: 'invalid'; errors: FieldErrors }
  | { ok: false; reason: 'not-found' };

/**
 * Saves an edit and carries out what it implies: a new email or phone revokes trusted devices
 * (TD-06), makes the new phone unverified and tells the old address (OTP-10); disabling ends every
 * session and device (SE-06, TD-06); every change is audited with the admin as actor (RC-06).
 */
export async function updateUser(
  id: string,
  input: UserInput,
  actor: Actor,
  deps: AdminUserDeps = realDeps(),
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

  try {
    await db.user.update({
      where: { id },
      data: {
        ...input,
        usernameKey: canonicalUsername(input.username),
        ...(phoneChanged ? { phoneVerifiedAt: null } : {}),
        ...(emailChanged ? { emailVerified: null } : {}),
      },
    });
  } catch (error) {
    if (isUniqueViolation(error))
      return { ok: false, reason: 'invalid', errors: { username: ALREADY_USED } };
    throw error;
  }

  await recordEvent({
    type: 'user.updated',
    userId: id,
    ...who,
    detail: {
      actorId: actor.id,
      fields: changed,
      ...(changed.includes('role') ? { role: input.role } : {}),
    },
  });
  if (emailChanged || phoneChanged) {
    const change: ContactChange = {
      ...(emailChanged ? { email: { to: input.email } } : {}),
      ...(phoneChanged ? { phone: { to: input.phone } } : {}),
    };
    const notice = await sendNotice(deps, {
      kind: 'contact-changed',
      message: contactChangedNotice({
        to: before.email,
        change,
        at: deps.now(),
        by: 'admin',
        origin: deps.origin,
      }),
      userId: id,
      ...who,
    });
    await recordEvent({
      type: 'contact.changed',
      userId: id,
      ...who,
      detail: {
        actorId: actor.id,
        by: 'admin',
        noticeSent: notice.sent,
        ...(emailChanged
          ? { email: { from: maskEmail(before.email), to: maskEmail(input.email) } }
          : {}),
        ...(phoneChanged
          ? {
              phone: {
                from: before.phone && maskPhone(before.phone),
                to: input.phone && maskPhone(input.phone),
              },
            }
          : {}),
      },
    });
  }
  if (input.disabled !== before.disabled) {
    await recordEvent({
      type: input.disabled ? 'user.disabled' : 'user.enabled',
      userId: id,
      ...who,
      detail: { actorId: actor.id },
    });
  }
  if (input.twoFactor !== before.twoFactor) {
    const notice = await sendNotice(deps, {
      kind: 'two-factor-changed',
      message: twoFactorChangedNotice({
        to: input.email,
        enabled: input.twoFactor,
        at: deps.now(),
        origin: deps.origin,
      }),
      userId: id,
      ...who,
    });
    await recordEvent({
      type: 'user.two_factor_changed',
      userId: id,
      ...who,
      detail: { actorId: actor.id, enabled: input.twoFactor, noticeSent: notice.sent },
    });
  }
  return { ok: true, changed };
}

/**
 * Revokes one of a user's trusted devices (TD-06, admin action); false when it is not theirs.
 * The owner is emailed which device an administrator removed (RC-05), best effort.
 */
export async function revokeUserDevice(
  input: { userId: string; deviceId: string; actor: Actor },
  deps: AdminUserDeps = realDeps(),
): Promise<boolean> {
  const removed = await removeTrustedDevices({
    userId: input.userId,
    deviceId: input.deviceId,
    reason: 'admin',
    actorId: input.actor.id,
    ip: input.actor.ip ?? null,
    userAgent: input.actor.userAgent ?? null,
    notify: deps,
  });
  return removed.length === 1;
}

/** Revokes every trusted device of a user (TD-06, admin action), emailing the owner their names; null when there is no such user. */
export async function revokeUserDevices(
  input: { userId: string; actor: Actor },
  deps: AdminUserDeps = realDeps(),
): Promise<number | null> {
  if (!(await db.user.count({ where: { id: input.userId } }))) return null;
  return revokeAllTrustedDevices({
    userId: input.userId,
    reason: 'admin',
    actorId: input.actor.id,
    ip: input.actor.ip ?? null,
    userAgent: input.actor.userAgent ?? null,
    notify: deps,
  });
}
