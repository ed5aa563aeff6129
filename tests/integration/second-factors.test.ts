import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { viewTicket } from '@/lib/auth/sign-in-code';
import { nameDevice, viewDeviceNaming } from '@/lib/auth/sign-in-device';
import { submitFactorCode } from '@/lib/auth/sign-in-factor';
import { codeFailuresKey } from '@/lib/challenges/challenge-deps';
import { resetSecondFactorsAsAdmin } from '@/lib/admin/admin-fresh-code';
import { confirmFreshCode, sendFreshCode } from '@/lib/auth/fresh-code';
import {
  confirmAppEnrolment,
  getAppStatus,
  startAppEnrolment,
} from '@/lib/factors/authenticator-app';
import { countBackupCodesLeft, generateBackupCodes } from '@/lib/factors/backup-codes';
import { totpAt } from '@/lib/factors/totp';
import { securitySetup } from '../support/account-security-fixtures';
import { freshIp, limitedDeps } from '../support/limit-fixtures';
import { capturingSender, createUser, manualClock, PASSWORD } from '../support/sign-in-fixtures';

// The sign-in with a factor the person holds: an authenticator app's code or a backup code. It
// rides on the same login ticket, tries and wrong-code accounting as a sent code.

const who = { ip: '203.0.113.77', userAgent: 'vitest' };

function setup() {
  const clock = manualClock();
  const sender = capturingSender();
  const deps = limitedDeps({ sender, now: clock.now });
  return { clock, sender, deps };
}

async function ticketFor(deps: ReturnType<typeof limitedDeps>, username: string) {
  const result = await submitPassword(deps, {
    username,
    password: PASSWORD,
    ip: freshIp(),
    userAgent: 'vitest',
  });
  if (!result.ok) throw new Error('password step failed');
  return result.ticketId;
}

async function withApp(now: number) {
  const user = await createUser();
  const setup = await startAppEnrolment({
    userId: user.id,
    username: user.username,
    now: new Date(now),
  });
  if (!setup.ok) throw new Error('setup failed');
  expect(
    await confirmAppEnrolment({
      userId: user.id,
      code: totpAt(setup.secret, now),
      now: new Date(now),
    }),
  ).toEqual({ ok: true });
  return { user, secret: setup.secret };
}

describe('sign-in with an authenticator app', () => {
  it('TOTP the method page offers the app; its code signs in once (OTP-03); replaying it counts as a wrong code', async () => {
    const t = setup();
    const { user, secret } = await withApp(t.clock.now());
    const ticketId = await ticketFor(t.deps, user.username);
    expect((await viewTicket(t.deps, ticketId))?.factors).toMatchObject({
      app: true,
      backupCodes: false,
    });
    t.clock.advance(30_000);
    const code = totpAt(secret, t.clock.now());
    expect(
      await submitFactorCode(t.deps, { ticketId, factor: 'authenticator-app', code, ...who }),
    ).toEqual({ ok: true, next: 'session' });
    const done = await completeSignIn(t.deps, { ticketId, ...who });
    expect(done).toMatchObject({ userId: user.id, method: 'authenticator-app' });
    expect(t.sender.sent).toHaveLength(0);

    // The same code on a new sign-in is a wrong code (replay), and it counts as one (OTP-05).
    const again = await ticketFor(t.deps, user.username);
    expect(
      await submitFactorCode(t.deps, {
        ticketId: again,
        factor: 'authenticator-app',
        code,
        ...who,
      }),
    ).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(await t.deps.store.get(codeFailuresKey(user.id))).toBe(1);
  });

  it('OTP-05 wrong app codes spend the sign-in tries like sent codes: at the limit even the right code is refused', async () => {
    const t = setup();
    const { user, secret } = await withApp(t.clock.now());
    const ticketId = await ticketFor(t.deps, user.username);
    t.clock.advance(30_000);
    const right = totpAt(secret, t.clock.now());
    const wrong = right === '000000' ? '111111' : '000000';
    const limit = t.deps.limits.policies['code-try-challenge'].limit;
    for (let i = 0; i < limit; i++)
      await submitFactorCode(t.deps, {
        ticketId,
        factor: 'authenticator-app',
        code: wrong,
        ...who,
      });
    expect(
      await submitFactorCode(t.deps, {
        ticketId,
        factor: 'authenticator-app',
        code: right,
        ...who,
      }),
    ).toMatchObject({ ok: false, reason: 'limited' });
    // A malformed entry is no guess and costs nothing.
    const fresh = await ticketFor(t.deps, user.username);
    expect(
      await submitFactorCode(t.deps, {
        ticketId: fresh,
        factor: 'authenticator-app',
        code: '12a',
        ...who,
      }),
    ).toEqual({ ok: false, reason: 'malformed' });
  });

  it('TD-08 TD-09 the app code with "trust this browser" leads to the device-name step, and the notice names the app', async () => {
    const t = setup();
    const { user, secret } = await withApp(t.clock.now());
    const ticketId = await ticketFor(t.deps, user.username);
    t.clock.advance(30_000);
    const code = totpAt(secret, t.clock.now());
    expect(
      await submitFactorCode(t.deps, {
        ticketId,
        factor: 'authenticator-app',
        code,
        trust: true,
        ...who,
      }),
    ).toEqual({ ok: true, next: 'device-name' });
    expect(await viewDeviceNaming(t.deps, ticketId)).toMatchObject({
      userId: user.id,
      method: 'authenticator-app',
      trustRequested: true,
    });
    // TD-09: the owner's notice says which second step the trust came with.
    expect(await nameDevice(t.deps, { ticketId, name: 'Work laptop', ...who })).toMatchObject({
      ok: true,
    });
    const notice = t.sender.sent.find((m) => m.subject.startsWith('A new browser was trusted'));
    expect(notice?.text).toContain('Confirmed with: an authenticator app');
  });
});

describe('sign-in with a backup code', () => {
  it('OTP-03 RC-05 a backup code signs in once, is audited, and its owner is told how many are left', async () => {
    const t = setup();
    const user = await createUser();
    const [code, other] = await generateBackupCodes({ userId: user.id, now: new Date() });
    const ticketId = await ticketFor(t.deps, user.username);
    expect((await viewTicket(t.deps, ticketId))?.factors.backupCodes).toBe(true);
    expect(
      await submitFactorCode(t.deps, { ticketId, factor: 'backup-code', code: code!, ...who }),
    ).toEqual({ ok: true, next: 'session' });
    await t.deps.flushDeferred();
    const notice = t.sender.sent.find((m) => m.subject.startsWith('A backup code was used'));
    expect(notice?.to).toBe(user.email);
    expect(notice?.text).toContain('9 backup codes left');
    expect(
      await db.auditEvent.count({ where: { userId: user.id, type: 'backup_code.used' } }),
    ).toBe(1);

    const again = await ticketFor(t.deps, user.username);
    expect(
      await submitFactorCode(t.deps, {
        ticketId: again,
        factor: 'backup-code',
        code: code!,
        ...who,
      }),
    ).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(
      await submitFactorCode(t.deps, {
        ticketId: again,
        factor: 'backup-code',
        code: other!,
        ...who,
      }),
    ).toEqual({ ok: true, next: 'session' });
  });

  it("another user's backup code is a wrong code", async () => {
    const t = setup();
    const [owner, stranger] = [await createUser(), await createUser()];
    const [code] = await generateBackupCodes({ userId: owner.id, now: new Date() });
    await generateBackupCodes({ userId: stranger.id, now: new Date() });
    const ticketId = await ticketFor(t.deps, stranger.username);
    expect(
      await submitFactorCode(t.deps, { ticketId, factor: 'backup-code', code: code!, ...who }),
    ).toMatchObject({ ok: false, reason: 'mismatch' });
  });
});

describe("RC-04 an administrator resets a user's own second factors", () => {
  it("RC-04 RC-05 only with the admin's fresh code; the app, codes and passkeys go, and the user is told", async () => {
    const t = securitySetup();
    const admin = await createUser();
    const { user } = await withApp(Date.now());
    await generateBackupCodes({ userId: user.id, now: new Date() });
    const actor = { id: admin.id, ...who };
    expect(await resetSecondFactorsAsAdmin(t.deps, { userId: user.id, actor })).toEqual({
      ok: false,
      reason: 'not-fresh',
    });
    expect(await getAppStatus(user.id)).not.toBeNull();

    await sendFreshCode(t.deps, { userId: admin.id, action: 'admin', ...who });
    await confirmFreshCode(t.deps, { userId: admin.id, code: t.sender.last().code!, ...who });
    expect(await resetSecondFactorsAsAdmin(t.deps, { userId: user.id, actor })).toEqual({
      ok: true,
      value: { removed: ['authenticator-app', 'backup-codes'] },
    });
    expect(await getAppStatus(user.id)).toBeNull();
    expect(await countBackupCodesLeft(user.id)).toBe(0);
    const [event] = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'two_step.changed' },
    });
    expect(event?.detail).toMatchObject({ change: 'reset-by-admin', actorId: admin.id });
    // One notice per method removed, through the configured sender (the outbox in tests).
    const told = await db.outboxMessage.findMany({
      where: { to: user.email, subject: { startsWith: 'An administrator removed' } },
      select: { subject: true },
    });
    expect(told.map((m) => m.subject).sort()).toEqual([
      'An administrator removed the authenticator app from your Latchkey account',
      'An administrator removed the backup codes of your Latchkey account',
    ]);
  });
});
