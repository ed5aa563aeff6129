import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { findLiveSession, startSignInSession } from '@/lib/auth/session-record';
import { findSignInUserById, findSignInUserByUsernameKey } from '@/lib/auth/sign-in-users';
import { redeemDeviceToken, trustDevice } from '@/lib/devices/trusted-devices';
import { createUser } from '../support/sign-in-fixtures';

// The sign-in's hot statements go to `pg` directly (docs/decisions/0025-raw-pg-hot-path.md), where
// Prisma's own type handling does not run. The columns are UTC `timestamp(3)`; `pg` would read
// them as the process's local time unless the statements say UTC. So these run in a time zone far
// from UTC, and compare what the raw statements read and write with what Prisma reads.

const who = { ip: '203.0.113.44', userAgent: 'vitest raw sql' };
const MINUTE = 60_000;
let zoneBefore: string | undefined;

beforeAll(() => {
  zoneBefore = process.env.TZ;
  process.env.TZ = 'America/St_Johns'; // UTC−3:30 (−2:30 in summer)
  expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).not.toBe(0);
});
afterAll(() => {
  if (zoneBefore === undefined) delete process.env.TZ;
  else process.env.TZ = zoneBefore;
});

describe('the raw statements keep times in UTC whatever the process time zone', () => {
  it('TD-03 a device token redeems before its expiry and not after it; expiresAt and lastUsedAt are the instants Prisma reads', async () => {
    const user = await createUser();
    const now = new Date(Date.now() - 5 * MINUTE);
    const device = await trustDevice({
      userId: user.id,
      name: 'Zone laptop',
      lifetimeDays: 1,
      now,
      ...who,
    });

    const usedAt = new Date(now.getTime() + MINUTE);
    const used = await redeemDeviceToken({
      token: device.token,
      userId: user.id,
      now: usedAt,
      ...who,
    });
    expect(used?.expiresAt.getTime()).toBe(device.expiresAt.getTime());
    const row = await db.trustedDevice.findUniqueOrThrow({ where: { id: device.deviceId } });
    expect(row.lastUsedAt.getTime()).toBe(usedAt.getTime());
    expect(row.expiresAt.getTime()).toBe(device.expiresAt.getTime());

    // A millisecond before the end it works; at the end it does not.
    const justBefore = new Date(device.expiresAt.getTime() - 1);
    const again = await redeemDeviceToken({
      token: used!.token,
      userId: user.id,
      now: justBefore,
      ...who,
    });
    expect(again).not.toBeNull();
    expect(
      await redeemDeviceToken({
        token: again!.token,
        userId: user.id,
        now: device.expiresAt,
        ...who,
      }),
    ).toBeNull();
  });

  it('SE-05 SE-06 a session written by the sign-in statement has the instants Prisma reads, and its expiry and idle limit hold to the millisecond', async () => {
    const user = await createUser();
    const at = new Date(Date.now() - 10 * MINUTE);
    const maxAgeSeconds = 3600;
    const started = await startSignInSession({
      userId: user.id,
      maxAgeSeconds,
      at,
      events: [
        { type: 'signin.succeeded', userId: user.id, ...who, detail: { method: 'code' }, at },
      ],
      ...who,
    });
    expect(started?.emailCodesBlocked).toBe(false);
    const sessionId = started?.sessionId;
    const row = await db.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.createdAt.getTime()).toBe(at.getTime());
    expect(row.lastSeenAt.getTime()).toBe(at.getTime());
    expect(row.expires.getTime()).toBe(at.getTime() + maxAgeSeconds * 1000);
    expect(
      (await db.auditEvent.findFirstOrThrow({ where: { userId: user.id } })).createdAt.getTime(),
    ).toBe(at.getTime());
    expect(
      (await db.user.findUniqueOrThrow({ where: { id: user.id } })).lastSignInAt?.getTime(),
    ).toBe(at.getTime());

    const idleMs = 30 * MINUTE;
    // Idle: live up to idleMs after lastSeenAt (read without a touch: within a minute of it).
    expect(await findLiveSession(sessionId!, { now: at.getTime() + 30_000, idleMs })).toMatchObject(
      {
        id: row.id,
        userId: user.id,
      },
    );
    expect(
      await findLiveSession(sessionId!, { now: at.getTime() + idleMs + 1, idleMs }),
    ).toBeNull();
  });

  it('SE-05 a session is refused from the instant of its absolute expiry', async () => {
    const user = await createUser();
    const at = new Date(Date.now() - 2 * MINUTE);
    const sessionId = (
      await startSignInSession({ userId: user.id, maxAgeSeconds: 60, at, events: [], ...who })
    )?.sessionId;
    const expires = at.getTime() + 60_000;
    expect(
      await findLiveSession(sessionId!, { now: expires - 1, idleMs: 3_600_000 }),
    ).not.toBeNull();
    expect(await findLiveSession(sessionId!, { now: expires, idleMs: 3_600_000 })).toBeNull();
  });

  it('the sign-in user look-ups answer what Prisma reads, role as text', async () => {
    const user = await createUser({ phone: null });
    const select = {
      id: true,
      username: true,
      email: true,
      phone: true,
      passwordHash: true,
      twoFactor: true,
      disabled: true,
      role: true,
      emailCodesBlocked: true,
    } as const;
    const expected = await db.user.findUniqueOrThrow({ where: { id: user.id }, select });
    expect(await findSignInUserByUsernameKey(user.usernameKey)).toEqual(expected);
    expect(await findSignInUserById(user.id)).toEqual(expected);
    expect(await findSignInUserById('no-such-user')).toBeNull();
    expect(await findSignInUserByUsernameKey("x' OR '1'='1")).toBeNull();
  });
});
