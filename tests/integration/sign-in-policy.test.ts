import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { requestPasswordReset, resetPassword } from '@/lib/auth/password-reset';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode, viewTicket } from '@/lib/auth/sign-in-code';
import { finishEnrolment, viewEnrolment } from '@/lib/auth/sign-in-enrol';
import { getAppStatus } from '@/lib/factors/authenticator-app';
import { totpAt } from '@/lib/factors/totp';
import { securitySetup, who } from '../support/account-security-fixtures';
import { freshIp, limitedDeps } from '../support/limit-fixtures';
import { capturingSender, createUser, PASSWORD } from '../support/sign-in-fixtures';

// Which second factors a role may use (SIGN_IN_METHODS_ADMIN / _USER), and recovery that does
// not hand the account to its mailbox. Decision record 0016.

const NEW_PASSWORD = 'seven lanterns over quiet water';

async function ticketFor(
  deps: ReturnType<typeof limitedDeps>,
  username: string,
  password = PASSWORD,
) {
  const result = await submitPassword(deps, {
    username,
    password,
    ip: freshIp(),
    userAgent: 'vitest',
  });
  if (!result.ok) throw new Error(`password step: ${result.reason}`);
  return result;
}

async function makeAdmin(phone: string | null) {
  const user = await createUser({ phone, twoFactor: true });
  return db.user.update({ where: { id: user.id }, data: { role: 'admin' } });
}

describe('policy per role', () => {
  it('an administrator is offered no email code by default, and one asked for is refused', async () => {
    const deps = limitedDeps();
    const admin = await makeAdmin('+14155550161');
    const { ticketId } = await ticketFor(deps, admin.username);
    const view = await viewTicket(deps, ticketId);
    expect(view?.choices.map((c) => c.channel)).toEqual(['sms', 'voice']);
    expect(view?.enrolment).toBe(false);
    expect(await sendCode(deps, { ticketId, channel: 'email', ...who })).toEqual({
      ok: false,
      reason: 'channel-unavailable',
    });
  });

  it('an administrator never signs in with the password alone, whatever the account says', async () => {
    const deps = limitedDeps();
    const admin = await makeAdmin('+14155550162');
    await db.user.update({ where: { id: admin.id }, data: { twoFactor: false } });
    expect(await ticketFor(deps, admin.username)).toMatchObject({ ok: true, next: 'method' });
  });

  it('SE-03 an administrator with only email proves the mailbox once, then must set up an app before any session exists, even by skipping ahead', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender });
    const admin = await makeAdmin(null);
    const { ticketId } = await ticketFor(deps, admin.username);
    const view = await viewTicket(deps, ticketId);
    expect(view).toMatchObject({ enrolment: true, choices: [{ channel: 'email' }] });
    expect(await sendCode(deps, { ticketId, channel: 'email', ...who })).toMatchObject({
      ok: true,
    });
    expect(await submitCode(deps, { ticketId, code: sender.last().code!, ...who })).toEqual({
      ok: true,
      next: 'enrol',
    });
    // The email code alone makes no session (SE-03), even if a later step is asked for one
    // (the device-name page's "skip" does so): the sign-in must start again.
    const skipped = await ticketFor(deps, admin.username);
    await sendCode(deps, { ticketId: skipped.ticketId, channel: 'email', ...who });
    await submitCode(deps, { ticketId: skipped.ticketId, code: sender.last().code!, ...who });
    expect(await completeSignIn(deps, { ticketId: skipped.ticketId, ...who })).toBeNull();
    const setup = await viewEnrolment(deps, ticketId);
    expect(setup?.qrSvg).toContain('<svg');
    expect(await finishEnrolment(deps, { ticketId, code: '000000', ...who })).toMatchObject({
      ok: false,
    });
    expect(
      await finishEnrolment(deps, { ticketId, code: totpAt(setup!.secret, Date.now()), ...who }),
    ).toEqual({ ok: true });
    expect(await getAppStatus(admin.id)).not.toBeNull();
    expect(await completeSignIn(deps, { ticketId, ...who })).toMatchObject({ userId: admin.id });

    // From now on the app is offered, and email is not.
    const next = await ticketFor(deps, admin.username);
    expect(await viewTicket(deps, next.ticketId)).toMatchObject({
      enrolment: false,
      choices: [],
      factors: { app: true },
    });
  });
});

describe('RC-04 recovery does not hand the account to the mailbox', () => {
  it('RC-04 after a reset by email link, an account with a phone gets no email code at its next sign-in; an SMS sign-in lifts the block', async () => {
    const t = securitySetup();
    const user = await createUser({ phone: '+14155550163' });
    await requestPasswordReset(t.deps, { identifier: user.username, ...who });
    await t.flush();
    const mail = t.sender.sent.at(-1)!;
    expect(mail.text).toContain('a code sent to this mailbox will not be accepted');
    const token = new URL(/https?:\/\/\S+/.exec(mail.text)![0]).searchParams.get('token')!;
    expect(await resetPassword(t.deps, { token, password: NEW_PASSWORD, ...who })).toMatchObject({
      ok: true,
    });

    const sender = capturingSender();
    const deps = limitedDeps({ sender });
    const { ticketId } = await ticketFor(deps, user.username, NEW_PASSWORD);
    expect((await viewTicket(deps, ticketId))?.choices.map((c) => c.channel)).toEqual([
      'sms',
      'voice',
    ]);
    expect(await sendCode(deps, { ticketId, channel: 'email', ...who })).toEqual({
      ok: false,
      reason: 'channel-unavailable',
    });
    await sendCode(deps, { ticketId, channel: 'sms', ...who });
    await submitCode(deps, { ticketId, code: sender.last().code!, ...who });
    expect(await completeSignIn(deps, { ticketId, ...who })).toMatchObject({ userId: user.id });

    const later = await ticketFor(deps, user.username, NEW_PASSWORD);
    expect((await viewTicket(deps, later.ticketId))?.choices.map((c) => c.channel)).toContain(
      'email',
    );
  });

  it('RC-04 an account whose only factor is email keeps email codes after a reset (nothing else to ask for)', async () => {
    const t = securitySetup();
    const user = await createUser({ phone: null });
    await requestPasswordReset(t.deps, { identifier: user.username, ...who });
    await t.flush();
    const token = new URL(/https?:\/\/\S+/.exec(t.sender.sent.at(-1)!.text)![0]).searchParams.get(
      'token',
    )!;
    await resetPassword(t.deps, { token, password: NEW_PASSWORD, ...who });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).emailCodesBlocked).toBe(
      false,
    );
  });
});
