import 'server-only';
import { db } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import { listTrustedDevices, type TrustedDeviceView } from '@/lib/devices/trusted-devices';
import { listFields } from './list-users';

// The admin's page of one user: their fields, trusted devices and recent audit events.

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
  /** The user's own second factors (the admin may reset them). */
  methods: { app: boolean; backupCodesLeft: number; passkeys: number };
};
/** The list's columns and a few more; an edit compares against these (update-user.ts). */
export const detailFields = {
  ...listFields,
  phoneVerifiedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** One user with their trusted devices and their last 20 audit events; null when there is none. */
export async function getUserDetail(id: string): Promise<UserDetail | null> {
  const user = await db.user.findUnique({ where: { id }, select: detailFields });
  if (!user) return null;
  const [devices, events, methods] = await Promise.all([
    listTrustedDevices(id, undefined),
    db.auditEvent.findMany({
      where: { userId: id },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 20,
      select: { id: true, type: true, createdAt: true, ip: true, detail: true },
    }),
    db.user.findUniqueOrThrow({
      where: { id },
      select: {
        authenticatorApp: { select: { confirmedAt: true } },
        _count: { select: { backupCodes: { where: { usedAt: null } }, passkeys: true } },
      },
    }),
  ]);
  const factors = {
    app: !!methods.authenticatorApp?.confirmedAt,
    backupCodesLeft: methods._count.backupCodes,
    passkeys: methods._count.passkeys,
  };
  return { ...user, devices, events, methods: factors };
}
