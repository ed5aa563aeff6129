import 'server-only';
import { db } from '@/lib/db';
import { removeTrustedDevices } from '@/lib/devices/remove-trusted-devices';
import { revokeAllTrustedDevices } from '@/lib/devices/trusted-devices';
import { noticeDeps } from '@/lib/notices/notice-deps';
import type { Actor, AdminUserDeps } from './admin-actor';

// An admin ends a user's trusted devices from the user's page (TD-06): one, or all of them.

/** Revokes every trusted device of a user (TD-06, admin action), emailing the owner their names; null when there is no such user. */
export async function revokeUserDevices(
  input: { userId: string; actor: Actor },
  deps: AdminUserDeps = noticeDeps(),
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

/**
 * Revokes one of a user's trusted devices (TD-06, admin action); false when it is not theirs.
 * The owner is emailed which device an administrator removed (RC-05), best effort.
 */
export async function revokeUserDevice(
  input: { userId: string; deviceId: string; actor: Actor },
  deps: AdminUserDeps = noticeDeps(),
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
