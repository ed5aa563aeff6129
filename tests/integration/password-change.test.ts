import { getContactChangeDeps } from '@/lib/web/wiring';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { checkPassword } from '@/lib/auth/password';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import {
  confirmFreshCode,
  getFreshCodeUntil,
  sendFreshCode,
  viewFreshCode,
} from '@/lib/auth/fresh-code';
import { changePassword, CURRENT_PASSWORD_TRIES } from '@/lib/auth/password-change';
import { createSessionRecord, findLiveSession } from '@/lib/auth/session-record';
import { listTrustedDevices, redeemDeviceToken, trustDevice } from '@/lib/devices/trusted-devices';
import {
  confirmIdentity,
  sendIdentityCode,
  viewContactChange,
  type ContactChangeDeps,
} from '@/lib/account/contact-change';
import { createUser, PASSWORD } from '../support/sign-in-fixtures';
import { securitySetup, who, wrongCode } from '../support/account-security-fixtures';

// Fresh re-authentication (SE-07, TD-10) and changing one's password (PW-09), against the real
// database and store with a hand-moved clock. The browser journey is tests/e2e/password-recovery.spec.ts.

const NEW_PASSWORD = 'violet kettle under the bridge';
type Setup = ReturnType<typeof securitySetup>;

async function confirmItsMe(t: Setup, userId: string) {
  expect(await sendFreshCode(t.deps, { userId, action: 'password', ...who })).toMatchObject({
    ok: true,
  });
  expect(await confirmFreshCode(t.deps, { userId, code: t.sender.last().code!, ...who })).toEqual({
    ok: true,
  });
}

const change = (
  t: Setup,
  userId: string,
  over: Partial<{
    currentPassword: string;
    newPassword: string;
    currentSessionId: string | null;
  }> = {},
) =>
  changePassword(t.deps, {
    userId,
    currentSessionId: null,
    currentPassword: PASSWORD,
    newPassword: NEW_PASSWORD,
    ...who,
    ...over,
  });

const sessionRowId = async (sid: string) => (await findLiveSession(sid))!.id;

describe('SE-07 TD-10 a fresh code before a sensitive change', () => {
  it('TD-10 SE-07 signed in on a trusted browser (no code at sign-in), changing the password still asks for a code', async () => {
    const t = securitySetup();
    const user = await createUser();
    const device = await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    const signIn = await submitPassword(t.signIn, {
      username: user.username,
      password: PASSWORD,
      deviceToken: device.token,
      ...who,
    });
    expect(signIn).toMatchObject({ ok: true, next: 'session' });
    if (!signIn.ok) return;
    expect(await completeSignIn(t.signIn, { ticketId: signIn.ticketId, ...who })).toMatchObject({
      method: 'trusted-device',
    });

    expect(await change(t, user.id)).toEqual({ ok: false, reason: 'not-fresh' });
    expect(
      await checkPassword(
        PASSWORD,
        (await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash,
      ),
    ).toMatchObject({ ok: true });
  });

  it('SE-07 the code goes to the CURRENT email, names the change, works once, and counts for the configured window only', async () => {
    const t = securitySetup({ windowMinutes: 10 });
    const user = await createUser();
    expect(
      await sendFreshCode(t.deps, { userId: user.id, action: 'password', ...who }),
    ).toMatchObject({ ok: true });
    const message = t.sender.last();
    expect(message).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'Your Latchkey code to confirm it’s you',
    });
    expect(message.text).toContain('change the password');
    expect((await viewFreshCode(t.deps, user.id)).pending).toMatchObject({
      to: user.email,
      secondsLeft: 45,
    });

    expect(
      await confirmFreshCode(t.deps, { userId: user.id, code: wrongCode(message.code!), ...who }),
    ).toEqual({ ok: false, reason: 'mismatch', attemptsLeft: 4 });
    expect(
      await confirmFreshCode(t.deps, { userId: user.id, code: message.code!, ...who }),
    ).toEqual({ ok: true });
    expect(
      await confirmFreshCode(t.deps, { userId: user.id, code: message.code!, ...who }),
    ).toEqual({ ok: false, reason: 'no-code' });

    t.clock.advance(10 * 60_000 - 1);
    expect(await getFreshCodeUntil(t.deps, user.id)).not.toBeNull();
    t.clock.advance(1);
    expect(await getFreshCodeUntil(t.deps, user.id)).toBeNull();
    expect(await change(t, user.id)).toEqual({ ok: false, reason: 'not-fresh' });
  });

  it('SE-07 the window is configurable, and an expired code does not confirm', async () => {
    const t = securitySetup({ windowMinutes: 2 });
    const user = await createUser();
    await sendFreshCode(t.deps, { userId: user.id, action: 'devices', ...who });
    expect(t.sender.last().text).toContain('delete the trusted devices');
    t.clock.advance(46_000);
    expect(
      await confirmFreshCode(t.deps, { userId: user.id, code: t.sender.last().code!, ...who }),
    ).toEqual({ ok: false, reason: 'expired' });
    await confirmItsMe(t, user.id);
    t.clock.advance(2 * 60_000);
    expect(await getFreshCodeUntil(t.deps, user.id)).toBeNull();
  });

  it('SE-07 one code serves every sensitive page: a code entered on the profile counts here, and one entered here counts there', async () => {
    const t = securitySetup();
    const real = getContactChangeDeps();
    const profile: ContactChangeDeps = {
      ...t.deps,
      users: real.users,
      revokeTrustedDevices: real.revokeTrustedDevices,
      config: { ...t.deps.config, phoneRegion: 'US' },
    };
    const [a, b] = [await createUser(), await createUser()];
    await sendIdentityCode(profile, { userId: a.id, ...who });
    await confirmIdentity(profile, { userId: a.id, code: t.sender.last().code!, ...who });
    expect(await getFreshCodeUntil(t.deps, a.id)).not.toBeNull();

    t.session.id = 'session-b';
    await confirmItsMe(t, b.id);
    expect((await viewContactChange(profile, b.id)).recentUntil).not.toBeNull();
    t.clock.advance(10 * 60_000);
    expect((await viewContactChange(profile, b.id)).recentUntil).toBeNull();
  });
});

describe('PW-09 changing the password', () => {
  it('PW-09 the current password is required: a wrong one changes nothing, and repeated wrong ones are refused for a while', async () => {
    const t = securitySetup();
    const user = await createUser();
    await confirmItsMe(t, user.id);
    for (let i = 0; i < CURRENT_PASSWORD_TRIES; i++) {
      expect(await change(t, user.id, { currentPassword: `not it ${i}` })).toEqual({
        ok: false,
        reason: 'wrong-password',
      });
    }
    expect(await change(t, user.id)).toEqual({ ok: false, reason: 'limited' });
    const { passwordHash } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await checkPassword(PASSWORD, passwordHash)).toMatchObject({ ok: true });
    const failures = await db.auditEvent.count({
      where: { userId: user.id, type: 'password.change_failed' },
    });
    expect(failures).toBe(CURRENT_PASSWORD_TRIES + 1);
  });

  it('PW-09 PW-01 PW-04 the new password meets the policy: 15 code points (a trusted browser can make it the only factor), not common', async () => {
    const t = securitySetup();
    const user = await createUser();
    await confirmItsMe(t, user.id);
    const short = await change(t, user.id, { newPassword: 'fourteen chars' });
    expect(short).toMatchObject({ ok: false, reason: 'weak' });
    if (!short.ok && short.reason === 'weak')
      expect(short.message).toContain('at least 15 characters');
    expect(await change(t, user.id, { newPassword: 'password1234567890' })).toMatchObject({
      ok: false,
      reason: 'weak',
    });
    expect(
      await change(t, user.id, { newPassword: `${user.username} is my password` }),
    ).toMatchObject({ ok: false, reason: 'weak' });
  });

  it('PW-09 TD-06 RC-05 a change ends the other sessions and every trusted device, keeps this session, tells the user, and is audited', async () => {
    const t = securitySetup();
    const user = await createUser();
    const here = await createSessionRecord({ userId: user.id, maxAgeSeconds: 3600, ...who });
    const elsewhere = await createSessionRecord({ userId: user.id, maxAgeSeconds: 3600, ...who });
    const device = await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    await confirmItsMe(t, user.id);

    const result = await change(t, user.id, { currentSessionId: await sessionRowId(here) });
    expect(result).toEqual({ ok: true, sessionsEnded: 1, devicesRevoked: 1 });
    const { passwordHash } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await checkPassword(NEW_PASSWORD, passwordHash)).toMatchObject({ ok: true });
    expect(await checkPassword(PASSWORD, passwordHash)).toEqual({ ok: false });

    expect(await findLiveSession(here)).not.toBeNull();
    expect(await findLiveSession(elsewhere)).toBeNull();
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect(
      await redeemDeviceToken({ token: device.token, userId: user.id, now: new Date(), ...who }),
    ).toBeNull();

    expect(t.sender.last()).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'Your Latchkey password was changed',
    });
    const changed = await db.auditEvent.findFirst({
      where: { userId: user.id, type: 'password.changed' },
    });
    expect(changed?.detail).toEqual({ sessionsEnded: 1, devicesRevoked: 1, noticeSent: true });
    const revoked = await db.auditEvent.findFirst({
      where: { userId: user.id, type: 'device.revoked' },
    });
    expect(revoked?.detail).toMatchObject({ reason: 'password-changed', count: 1 });
    // RC-06: no password, in any form, in the audit trail.
    const trail = JSON.stringify(await db.auditEvent.findMany({ where: { userId: user.id } }));
    expect(trail).not.toContain(NEW_PASSWORD);
    expect(trail).not.toContain(PASSWORD);
  });
});

describe('PW-05 PW-06 what Latchkey never does', () => {
  const schema = readFileSync(
    path.resolve(import.meta.dirname, '../../prisma/schema.prisma'),
    'utf8',
  );
  const userModel = /model User \{([\s\S]*?)\n\}/.exec(schema)?.[1] ?? '';
  const fieldNames = userModel
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[a-zA-Z]/.test(line))
    .map((line) => line.split(/\s+/)[0]!);

  it('PW-05 no forced expiry: nothing records a password’s age, and a password set years ago still signs in', async () => {
    expect(fieldNames).toContain('passwordHash');
    expect(fieldNames.filter((f) => /password/i.test(f))).toEqual(['passwordHash']);
    expect(schema).not.toMatch(/password\w*(expir|changed|age|rotat)/i);
    const user = await createUser();
    await db.$executeRaw`UPDATE "User" SET "createdAt" = now() - interval '10 years', "updatedAt" = now() - interval '10 years' WHERE id = ${user.id}`;
    expect(
      await submitPassword(securitySetup().signIn, {
        username: user.username,
        password: PASSWORD,
        ...who,
      }),
    ).toMatchObject({ ok: true });
  });

  it('PW-06 no password hints or security questions: the schema has nowhere to keep them', () => {
    expect(fieldNames.length).toBeGreaterThan(5);
    expect(fieldNames.filter((f) => /hint|question|answer|reminder|secret/i.test(f))).toEqual([]);
    expect(schema).not.toMatch(/security.?question|password.?hint/i);
  });
});
