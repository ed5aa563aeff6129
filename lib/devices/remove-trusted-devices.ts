import 'server-only';
import { db } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { recordEvent } from '@/lib/audit/record-event';
import { deviceRemovedNotice } from '@/lib/notices/device-removed-notice';
import type { NoticeDeps } from '@/lib/notices/notice-deps';
import { sendNotice } from '@/lib/notices/send-notice';

// The one way trusted devices leave the database (TD-06): the owner deleting one or the others on
// My Trusted Devices, an administrator revoking one or all, and every change that must end trust.
// They differ in who acts and why, which decides the audit event and whether the owner is emailed.

export type RevocationReason =
  | 'password-changed'
  | 'password-reset'
  | 'email-changed'
  | 'phone-changed'
  | 'two-factor-reset'
  | 'account-disabled'
  | 'admin';

export type RemovedDevice = { name: string; tokenHash: string };

/**
 * Deletes the user's devices: the one `deviceId` names, or all but `keepTokenHash`, or all.
 * `reason: 'owner'` is the owner on their devices page (audited `device.deleted`); any other
 * reason is a revocation by `actorId` (audited `device.revoked`). With `notify` the owner is
 * emailed the names of what went (RC-05), best effort: a revocation that comes with a change
 * sending its own notice passes none, so one change makes one email.
 */
export async function removeTrustedDevices(input: {
  userId: string;
  deviceId?: string;
  keepTokenHash?: string;
  reason: 'owner' | RevocationReason;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  notify?: NoticeDeps;
}): Promise<RemovedDevice[]> {
  // Prisma's deleteMany returns a count only; the notice names what went, so one statement
  // deletes and returns the rows: a device trusted meanwhile is neither left behind nor left out.
  const one = input.deviceId ? Prisma.sql`AND "id" = ${input.deviceId}` : Prisma.empty;
  const keep = input.keepTokenHash
    ? Prisma.sql`AND "tokenHash" <> ${input.keepTokenHash}`
    : Prisma.empty;
  const removed = await db.$queryRaw<RemovedDevice[]>`
    DELETE FROM "TrustedDevice" WHERE "userId" = ${input.userId} ${one} ${keep}
    RETURNING "name", "tokenHash"`;
  const count = removed.length;
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };

  if (input.reason === 'owner') {
    if (count)
      await recordEvent({
        type: 'device.deleted',
        ...who,
        detail: input.deviceId ? { deviceId: input.deviceId } : { others: count },
      });
  } else if (count || !input.deviceId) {
    // Ending all trust is on record even when there was none: the reason is worth keeping.
    await recordEvent({
      type: 'device.revoked',
      ...who,
      detail: {
        reason: input.reason,
        ...(input.deviceId ? { deviceId: input.deviceId } : {}),
        count,
        actorId: input.actorId,
      },
    });
  }

  if (input.notify && count) {
    const names = removed.map((row) => row.name).sort((a, b) => a.localeCompare(b));
    await tellOwner(input.notify, {
      ...who,
      names,
      by: input.reason === 'owner' ? 'self' : 'admin',
    });
  }
  return removed;
}

async function tellOwner(
  deps: NoticeDeps,
  input: {
    userId: string;
    names: string[];
    by: 'self' | 'admin';
    ip: string | null;
    userAgent: string | null;
  },
): Promise<void> {
  const user = await db.user.findUnique({ where: { id: input.userId }, select: { email: true } });
  // Devices are deleted with their user: none left means nobody to tell.
  if (!user) return;
  await sendNotice(deps, {
    kind: 'device-removed',
    message: deviceRemovedNotice({
      to: user.email,
      deviceNames: input.names,
      by: input.by,
      at: deps.now(),
      ip: input.ip,
      origin: deps.origin,
    }),
    userId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { by: input.by, count: input.names.length },
  });
}
