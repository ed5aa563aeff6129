import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { parseDeviceName } from '@/lib/devices/device-name';
import {
  deleteOtherTrustedDevices,
  deleteTrustedDevice,
  listTrustedDevices,
  redeemDeviceToken,
  renameTrustedDevice,
  revokeAllTrustedDevices,
  trustDevice,
} from '@/lib/devices/trusted-devices';
import { createUser } from '../support/sign-in-fixtures';

const DAY = 86_400_000;
const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const who = { ip: '203.0.113.7', userAgent: CHROME_ON_MAC };
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const BLNS_PATH = path.resolve(process.cwd(), '../shared/testdata/blns.json');

function trust(
  userId: string,
  options: { name?: string; now?: Date; lifetimeDays?: number; ip?: string } = {},
) {
  return trustDevice({
    userId,
    name: options.name ?? 'Work laptop',
    lifetimeDays: options.lifetimeDays ?? 30,
    now: options.now ?? new Date(),
    ...who,
    ...(options.ip ? { ip: options.ip } : {}),
  });
}

const redeem = (token: string | undefined, userId: string, now = new Date(), ip = who.ip) =>
  redeemDeviceToken({ token, userId, now, ip, userAgent: who.userAgent });

describe('trusted devices', () => {
  it('TD-01 trust lasts lifetimeDays; past expiresAt a device is neither redeemable nor listed; the lifetime is capped', async () => {
    const user = await createUser();
    const now = new Date('2026-03-01T10:00:00Z');
    const first = await trust(user.id, { now, lifetimeDays: 7 });
    expect(first.expiresAt.getTime()).toBe(now.getTime() + 7 * DAY);

    const justBefore = new Date(first.expiresAt.getTime() - 1);
    expect(await listTrustedDevices(user.id, undefined, justBefore)).toHaveLength(1);
    const used = await redeem(first.token, user.id, justBefore);
    expect(used).not.toBeNull();
    expect(used!.expiresAt).toEqual(first.expiresAt); // using a device does not extend its trust

    expect(await listTrustedDevices(user.id, undefined, first.expiresAt)).toEqual([]);
    expect(await redeem(used!.token, user.id, first.expiresAt)).toBeNull();

    expect((await trust(user.id, { now, lifetimeDays: 90 })).expiresAt.getTime()).toBe(
      now.getTime() + 90 * DAY,
    );
    for (const lifetimeDays of [0, 91, -1, Number.NaN]) {
      await expect(trust(user.id, { now, lifetimeDays })).rejects.toThrow(RangeError);
    }
  });

  it('TD-02 the row holds only the SHA-256 of the token, with user, name, browser, OS, user agent, IP and dates', async () => {
    const user = await createUser();
    const now = new Date('2026-03-01T10:00:00Z');
    const { token, deviceId } = await trust(user.id, { now, name: 'Büro PC' });
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const row = await db.trustedDevice.findUniqueOrThrow({ where: { id: deviceId } });
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row).toEqual({
      id: deviceId,
      userId: user.id,
      tokenHash: sha256(token),
      name: 'Büro PC',
      browser: 'Chrome',
      os: 'macOS',
      userAgent: CHROME_ON_MAC,
      ip: who.ip,
      location: null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + 30 * DAY),
    });
  });

  it('TD-03 a deleted or expired row means no trust, whatever the token', async () => {
    const user = await createUser();
    const deleted = await trust(user.id);
    expect(
      await deleteTrustedDevice({ userId: user.id, deviceId: deleted.deviceId, ...who }),
    ).toEqual({ ok: true, wasCurrent: false });
    expect(await redeem(deleted.token, user.id)).toBeNull();

    const expired = await trust(user.id, {
      now: new Date(Date.now() - 31 * DAY),
      lifetimeDays: 30,
    });
    expect(await redeem(expired.token, user.id)).toBeNull();
    expect(await db.trustedDevice.count({ where: { id: expired.deviceId } })).toBe(1); // still there, yet worthless

    for (const token of [
      undefined,
      '',
      'x'.repeat(43),
      randomBytes(32).toString('base64url'),
      `${expired.token} `,
      sha256(expired.token),
    ]) {
      expect(await redeem(token, user.id)).toBeNull();
    }
  });

  it('TD-04 each use rotates the token and the old value stops working', async () => {
    const user = await createUser();
    const start = new Date(Date.now() - DAY);
    const first = await trust(user.id, { now: start });
    const later = new Date();
    const second = await redeem(first.token, user.id, later, '198.51.100.9');
    expect(second).toMatchObject({ deviceId: first.deviceId });
    expect(second!.token).not.toBe(first.token);
    expect(await redeem(first.token, user.id)).toBeNull();

    const row = await db.trustedDevice.findUniqueOrThrow({ where: { id: first.deviceId } });
    expect(row).toMatchObject({
      tokenHash: sha256(second!.token),
      lastUsedAt: later,
      ip: '198.51.100.9',
      createdAt: start,
    });
    expect(await redeem(second!.token, user.id)).not.toBeNull();
  });

  it('TD-04 ten concurrent uses of one token: exactly one succeeds', async () => {
    const user = await createUser();
    const { token } = await trust(user.id);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => redeem(token, user.id)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { userId: user.id, type: 'device.used' } })).toBe(1);
  });

  it("TD-05 a token is bound to its user: another user's sign-in gets nothing and the owner's device is untouched", async () => {
    const owner = await createUser();
    const other = await createUser();
    const device = await trust(owner.id);
    const before = await db.trustedDevice.findUniqueOrThrow({ where: { id: device.deviceId } });

    expect(await redeem(device.token, other.id)).toBeNull();
    expect(await db.trustedDevice.findUniqueOrThrow({ where: { id: device.deviceId } })).toEqual(
      before,
    );
    expect(await listTrustedDevices(other.id, device.token)).toEqual([]);
    expect(await redeem(device.token, owner.id)).not.toBeNull();
  });

  it("TD-06 revoking ends every device of that user, no one else's, and is audited with its reason", async () => {
    const user = await createUser();
    const bystander = await createUser();
    const mine = [await trust(user.id), await trust(user.id, { name: 'Phone' })];
    const theirs = await trust(bystander.id);
    const admin = await createUser();

    expect(
      await revokeAllTrustedDevices({
        userId: user.id,
        reason: 'password-changed',
        actorId: admin.id,
      }),
    ).toBe(2);
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    for (const { token } of mine) expect(await redeem(token, user.id)).toBeNull();
    expect(await listTrustedDevices(bystander.id, undefined)).toHaveLength(1);
    expect(await redeem(theirs.token, bystander.id)).not.toBeNull();

    const events = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'device.revoked' },
    });
    expect(events.map((e) => e.detail)).toEqual([
      { reason: 'password-changed', count: 2, actorId: admin.id },
    ]);
  });

  it("TD-07 another user's device id can be neither renamed nor deleted, and is not listed", async () => {
    const owner = await createUser();
    const intruder = await createUser();
    const device = await trust(owner.id);
    const before = await db.trustedDevice.findUniqueOrThrow({ where: { id: device.deviceId } });

    expect(
      await renameTrustedDevice({
        userId: intruder.id,
        deviceId: device.deviceId,
        name: 'Mine now',
        ...who,
      }),
    ).toBe(false);
    expect(
      await deleteTrustedDevice({ userId: intruder.id, deviceId: device.deviceId, ...who }),
    ).toEqual({ ok: false, reason: 'not-found' });
    expect(
      await deleteTrustedDevice({ userId: owner.id, deviceId: 'no-such-device', ...who }),
    ).toEqual({ ok: false, reason: 'not-found' });
    expect(
      await deleteOtherTrustedDevices({ userId: intruder.id, currentToken: undefined, ...who }),
    ).toBe(0);
    expect(await db.trustedDevice.findUniqueOrThrow({ where: { id: device.deviceId } })).toEqual(
      before,
    );
    expect(await listTrustedDevices(intruder.id, device.token)).toEqual([]);
    expect(
      await db.auditEvent.count({
        where: { userId: intruder.id, type: { startsWith: 'device.' } },
      }),
    ).toBe(0);
  });

  it('TD-07 names from the Big List of Naughty Strings are kept exactly as parsed, or refused with a message', async (context) => {
    if (!fs.existsSync(BLNS_PATH)) {
      context.skip(`${BLNS_PATH} is absent (a clone without ../shared/testdata)`);
      return;
    }
    const user = await createUser();
    const strings = JSON.parse(fs.readFileSync(BLNS_PATH, 'utf8')) as string[];
    const expected = new Map<string, string>();
    let refused = 0;
    for (const [index, raw] of strings.entries()) {
      const parsed = parseDeviceName(raw);
      if (!parsed.ok) {
        expect(parsed.error, JSON.stringify(raw)).toMatch(/\S/);
        refused++;
        continue;
      }
      expect([...parsed.name].length).toBeLessThanOrEqual(64);
      // Half go in through trusting, half through renaming: both paths must keep the name as is.
      if (index % 2 === 0) {
        expected.set((await trust(user.id, { name: parsed.name })).deviceId, parsed.name);
      } else {
        const { deviceId } = await trust(user.id);
        expect(
          await renameTrustedDevice({ userId: user.id, deviceId, name: parsed.name, ...who }),
        ).toBe(true);
        expected.set(deviceId, parsed.name);
      }
    }
    const listed = new Map(
      (await listTrustedDevices(user.id, undefined)).map((d) => [d.id, d.name]),
    );
    expect(listed).toEqual(expected);
    expect(refused).toBeGreaterThan(0); // at least the empty string
    expect(expected.size).toBeGreaterThan(400);
  }, 120_000);

  it('TD-07 a name the caller forgot to parse is refused by the module, never stored', async () => {
    const user = await createUser();
    await expect(trust(user.id, { name: 'x'.repeat(65) })).rejects.toThrow(RangeError);
    const { deviceId } = await trust(user.id, { name: '  Büro \u202E PC  ' });
    expect(
      await renameTrustedDevice({ userId: user.id, deviceId, name: '   ', ...who }).catch(
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(RangeError);
    expect((await listTrustedDevices(user.id, undefined)).map((d) => d.name)).toEqual(['Büro PC']);
  });

  it('deleting marks whether it was this browser; deleting the others keeps this browser only', async () => {
    const user = await createUser();
    const bystander = await createUser();
    const here = await trust(user.id, { name: 'Here' });
    const away = [
      await trust(user.id, { name: 'Away 1' }),
      await trust(user.id, { name: 'Away 2' }),
      await trust(user.id, { name: 'Away 3' }),
    ];
    const theirs = await trust(bystander.id);

    expect(
      (await listTrustedDevices(user.id, here.token)).filter((d) => d.isCurrent).map((d) => d.name),
    ).toEqual(['Here']);
    expect(
      await deleteTrustedDevice({
        userId: user.id,
        deviceId: away[0]!.deviceId,
        currentToken: here.token,
        ...who,
      }),
    ).toEqual({ ok: true, wasCurrent: false });
    expect(
      await deleteOtherTrustedDevices({ userId: user.id, currentToken: here.token, ...who }),
    ).toBe(2);
    expect(
      (await listTrustedDevices(user.id, here.token)).map((d) => [d.name, d.isCurrent]),
    ).toEqual([['Here', true]]);
    expect(await listTrustedDevices(bystander.id, undefined)).toHaveLength(1);

    expect(
      await deleteTrustedDevice({
        userId: user.id,
        deviceId: here.deviceId,
        currentToken: here.token,
        ...who,
      }),
    ).toEqual({ ok: true, wasCurrent: true });
    expect(await redeem(here.token, user.id)).toBeNull();
    expect(await redeem(theirs.token, bystander.id)).not.toBeNull();
  });

  it('RC-06 device.trusted/used/renamed/deleted/revoked are audited without any token or token hash', async () => {
    const user = await createUser();
    const first = await trust(user.id);
    const rotated = await redeem(first.token, user.id);
    expect(
      await renameTrustedDevice({
        userId: user.id,
        deviceId: first.deviceId,
        name: 'Renamed',
        ...who,
      }),
    ).toBe(true);
    const second = await trust(user.id, { name: 'Second' });
    expect(
      await deleteTrustedDevice({
        userId: user.id,
        deviceId: second.deviceId,
        currentToken: second.token,
        ...who,
      }),
    ).toMatchObject({ ok: true });
    await revokeAllTrustedDevices({ userId: user.id, reason: 'admin' });

    const events = await db.auditEvent.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([
        'device.trusted',
        'device.used',
        'device.renamed',
        'device.deleted',
        'device.revoked',
      ]),
    );
    const recorded = JSON.stringify(events);
    for (const token of [first.token, rotated!.token, second.token]) {
      expect(recorded).not.toContain(token);
      expect(recorded).not.toContain(sha256(token));
    }
  });
});
