import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { queryRows } from '@/lib/db-pool';
import { recordEvent } from '@/lib/audit/record-event';
import { removeTrustedDevices, type RevocationReason } from '@/lib/devices/remove-trusted-devices';
import { describeUserAgent } from '@/lib/devices/describe-user-agent';
import { parseDeviceName } from '@/lib/devices/device-name';
import { noticeDeps, type NoticeDeps } from '@/lib/notices/notice-deps';

// Trusted devices (TD-01 … TD-08). The browser keeps a 256-bit random token in an HttpOnly
// cookie; the database keeps only its SHA-256. The server decides: a row that is missing,
// expired or another user's means a code, whatever the cookie says.

export type DeviceContext = {
  ip: string | null;
  userAgent: string | null;
  location?: string | null;
};

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

/** The longest trust this module grants, whatever the configuration says (TD-01). */
export const TRUST_LIFETIME_MAX_DAYS = 90;

function assertLifetime(days: number): void {
  if (!Number.isFinite(days) || days < 1 || days > TRUST_LIFETIME_MAX_DAYS)
    throw new RangeError(
      `trusted-device lifetime must be 1–${TRUST_LIFETIME_MAX_DAYS} days, got ${days}`,
    );
}

// Callers parse what the person typed and show the refusal; this is the last line that keeps an
// over-long or control-character name out of the database (TD-07), so a refusal here is a bug.
function storableName(input: string): string {
  const parsed = parseDeviceName(input);
  if (!parsed.ok) throw new RangeError(`device name refused: ${parsed.error}`);
  return parsed.name;
}

export function isWellFormedDeviceToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** Trusts the browser a verified sign-in came from; returns the token for its cookie. */
export async function trustDevice(
  input: {
    userId: string;
    name: string;
    lifetimeDays: number;
    now: Date;
  } & DeviceContext,
): Promise<{ token: string; deviceId: string; expiresAt: Date }> {
  assertLifetime(input.lifetimeDays);
  const name = storableName(input.name);
  const token = newToken();
  const { browser, os } = describeUserAgent(input.userAgent);
  const expiresAt = new Date(input.now.getTime() + input.lifetimeDays * 86_400_000);
  const device = await db.trustedDevice.create({
    data: {
      userId: input.userId,
      tokenHash: digest(token),
      name,
      browser,
      os,
      userAgent: input.userAgent?.slice(0, 500) ?? null,
      ip: input.ip,
      location: input.location ?? null,
      createdAt: input.now,
      lastUsedAt: input.now,
      expiresAt,
    },
  });
  await recordEvent({
    type: 'device.trusted',
    userId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { deviceId: device.id, name },
  });
  return { token, deviceId: device.id, expiresAt };
}

// Raw `pg` (decision 0025): it runs at every trusted browser's sign-in. The token hash is unique,
// so at most one row; the caller refuses more all the same.
const REDEEM = `
  UPDATE "TrustedDevice"
  SET "tokenHash" = $4, "lastUsedAt" = ($3::timestamptz AT TIME ZONE 'UTC'), ip = $5::text,
      location = COALESCE($6::text, location)
  WHERE "tokenHash" = $1 AND "userId" = $2 AND "expiresAt" > ($3::timestamptz AT TIME ZONE 'UTC')
  RETURNING id, ("expiresAt" AT TIME ZONE 'UTC') AS "expiresAt"`;

/**
 * Uses a device token at sign-in: valid only for its own user and before expiry (TD-03, TD-05).
 * The token is replaced in the same statement (TD-04), so of two requests with one token only
 * one succeeds and the old value stops working. One `UPDATE … RETURNING`. The use is audited
 * here unless the caller records it itself (`recordUse: false`: the sign-in writes it with the
 * session's rows).
 */
export async function redeemDeviceToken(
  input: { token: string | undefined; userId: string; now: Date } & DeviceContext,
  options: { recordUse?: boolean } = {},
): Promise<{ token: string; deviceId: string; expiresAt: Date } | null> {
  if (!isWellFormedDeviceToken(input.token)) return null;
  const rotated = newToken();
  const [device, ...more] = await queryRows<{ id: string; expiresAt: Date }>(REDEEM, [
    digest(input.token),
    input.userId,
    input.now.toISOString(),
    digest(rotated),
    input.ip,
    input.location || null,
  ]);
  if (!device || more.length) return null;
  if (options.recordUse ?? true)
    await recordEvent({
      type: 'device.used',
      userId: input.userId,
      ip: input.ip,
      userAgent: input.userAgent,
      detail: { deviceId: device.id },
    });
  return { token: rotated, deviceId: device.id, expiresAt: device.expiresAt };
}

export type TrustedDeviceView = {
  id: string;
  name: string;
  browser: string | null;
  os: string | null;
  ip: string | null;
  location: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  isCurrent: boolean;
};

/** The user's live devices, newest use first; `currentToken` marks this browser's. */
export async function listTrustedDevices(
  userId: string,
  currentToken: string | undefined,
  now = new Date(),
): Promise<TrustedDeviceView[]> {
  const currentHash = isWellFormedDeviceToken(currentToken) ? digest(currentToken) : null;
  // Named columns, so a column added later is not shown until someone decides it should be.
  const rows = await db.trustedDevice.findMany({
    where: { userId, expiresAt: { gt: now } },
    orderBy: { lastUsedAt: 'desc' },
    select: {
      id: true,
      name: true,
      browser: true,
      os: true,
      ip: true,
      location: true,
      createdAt: true,
      lastUsedAt: true,
      expiresAt: true,
      tokenHash: true,
    },
  });
  return rows.map(({ tokenHash, ...row }) => ({ ...row, isCurrent: tokenHash === currentHash }));
}

/** Renames one of the user's own devices; false when no such device is theirs (TD-07). */
export async function renameTrustedDevice(
  input: { userId: string; deviceId: string; name: string } & DeviceContext,
): Promise<boolean> {
  const name = storableName(input.name);
  const { count } = await db.trustedDevice.updateMany({
    where: { id: input.deviceId, userId: input.userId },
    data: { name },
  });
  if (count)
    await recordEvent({
      type: 'device.renamed',
      userId: input.userId,
      ip: input.ip,
      userAgent: input.userAgent,
      detail: { deviceId: input.deviceId, name },
    });
  return count === 1;
}

export type DeleteDeviceResult =
  { ok: true; wasCurrent: boolean } | { ok: false; reason: 'not-found' };

/**
 * Deletes one of the user's own devices, at once (TD-06); not-found when it is not theirs (TD-07).
 * `wasCurrent` tells the caller the browser it serves has lost its trust, so it drops the cookie.
 * The owner is emailed which device went (RC-05), best effort.
 */
export async function deleteTrustedDevice(
  input: { userId: string; deviceId: string; currentToken?: string } & DeviceContext,
  notice: NoticeDeps = noticeDeps(),
): Promise<DeleteDeviceResult> {
  const [row] = await removeTrustedDevices({
    userId: input.userId,
    deviceId: input.deviceId,
    reason: 'owner',
    actorId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
    notify: notice,
  });
  if (!row) return { ok: false, reason: 'not-found' };
  const wasCurrent =
    isWellFormedDeviceToken(input.currentToken) && row.tokenHash === digest(input.currentToken);
  return { ok: true, wasCurrent };
}

/** Deletes all the user's devices but the one this browser holds, and emails the owner their names (RC-05). */
export async function deleteOtherTrustedDevices(
  input: { userId: string; currentToken: string | undefined } & DeviceContext,
  notice: NoticeDeps = noticeDeps(),
): Promise<number> {
  const removed = await removeTrustedDevices({
    userId: input.userId,
    keepTokenHash: isWellFormedDeviceToken(input.currentToken)
      ? digest(input.currentToken)
      : undefined,
    reason: 'owner',
    actorId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
    notify: notice,
  });
  return removed.length;
}

/**
 * Ends trust for every device of a user (TD-06). Every event that must end trust calls this one
 * function: password change or reset, email or phone change, 2FA reset, disable, admin revoke.
 * With `notify` (an administrator's revoke) the owner is emailed the devices' names (RC-05); the
 * other reasons are side effects of a change that sends its own notice, so they send none.
 */
export async function revokeAllTrustedDevices(
  input: {
    userId: string;
    reason: RevocationReason;
    actorId?: string | null;
    notify?: NoticeDeps;
  } & Partial<DeviceContext>,
): Promise<number> {
  const removed = await removeTrustedDevices({
    userId: input.userId,
    reason: input.reason,
    actorId: input.actorId ?? null,
    ip: input.ip ?? null,
    userAgent: input.userAgent ?? null,
    notify: input.notify,
  });
  return removed.length;
}
