import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { checkPassword } from '@/lib/auth/password';
import { submitPassword } from '@/lib/auth/sign-in';
import {
  findPasswordReset,
  newResetToken,
  requestPasswordReset,
  resetPassword,
  RESET_EMAILS_PER_HOUR,
} from '@/lib/auth/password-reset';
import { createSessionRecord, findLiveSession } from '@/lib/auth/session-record';
import { listTrustedDevices, trustDevice } from '@/lib/devices/trusted-devices';
import { createUser, PASSWORD } from '../support/sign-in-fixtures';
import { ORIGIN, recordingStore, securitySetup, who } from '../support/account-security-fixtures';
import { typedUsernameSubject } from '@/lib/audit/record-event';

// Forgot password and reset (RC-01 … RC-03, RC-05, BF-04) against the real database and store.
// The browser journey, from the emailed link to a sign-in that still asks for the code, is
// tests/e2e/password-recovery.spec.ts.

const NEW_PASSWORD = 'seven lanterns over quiet water';
type Setup = ReturnType<typeof securitySetup>;

/** Asks for a reset and returns the token from the emailed link (after the deferred send). */
async function emailedToken(t: Setup, identifier: string): Promise<string> {
  const before = t.sender.sent.length;
  await requestPasswordReset(t.deps, { identifier, ...who });
  await t.flush();
  const message = t.sender.sent.at(-1);
  if (t.sender.sent.length === before || !message) throw new Error('no reset email was sent');
  const link = /https?:\/\/\S+/.exec(message.text)?.[0];
  return new URL(link!).searchParams.get('token')!;
}

const hashOf = async (userId: string) =>
  (await db.user.findUniqueOrThrow({ where: { id: userId } })).passwordHash;

describe('RC-01 BF-04 forgot password answers the same whether the account exists', () => {
  it('RC-01 BF-04 known username, known email in another case, unknown name, unknown email and a disabled account: same answer, same store work, nothing sent before the response', async () => {
    const [byName, byEmail] = [await createUser(), await createUser()];
    const disabled = await createUser({ disabled: true });
    const askFor = [
      byName.username.toUpperCase(),
      byEmail.email.toUpperCase(),
      `nobody-${byName.id}`,
      `nobody-${byName.id}@example.test`,
      disabled.username,
    ];
    const shapes: string[] = [];
    const answers: unknown[] = [];
    let sentBeforeResponse = 0;
    let pendingSends = 0;
    for (const identifier of askFor) {
      const t = securitySetup();
      const recorded = recordingStore(t.deps.store);
      const deps = { ...t.deps, store: recorded.store };
      answers.push(await requestPasswordReset(deps, { identifier, ...who }));
      sentBeforeResponse += t.sender.sent.length;
      pendingSends += t.pending.length;
      // Operation names and key kinds; the subject (user id or hashed name) and token hash differ by nature.
      shapes.push(
        JSON.stringify(
          recorded.log.map(({ op, args }) => [op, String(args[0]).split(':')[0], args.length]),
        ),
      );
      await t.flush();
    }
    expect(new Set(answers)).toEqual(new Set([undefined]));
    expect(new Set(shapes).size).toBe(1);
    expect(sentBeforeResponse).toBe(0); // the email leaves after the response: timing does not tell
    expect(pendingSends).toBe(2); // only the known, enabled account, by username and by email
  });

  it('RC-01 the email goes only to the account’s own address, and is audited without the token', async () => {
    const t = securitySetup();
    const user = await createUser();
    const token = await emailedToken(t, user.username);
    expect(t.sender.last()).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'Reset your Latchkey password',
    });
    const events = await db.auditEvent.findMany({
      where: {
        type: 'password.reset_requested',
        OR: [{ userId: user.id }, { subject: typedUsernameSubject('nobody-else') }],
      },
    });
    expect(events.map((e) => e.detail)).toEqual([{ outcome: 'sent' }]);
    expect(JSON.stringify(events)).not.toContain(token);
    await requestPasswordReset(t.deps, { identifier: 'nobody-else', ...who });
    expect(
      await db.auditEvent.findFirst({
        where: { type: 'password.reset_requested', subject: typedUsernameSubject('nobody-else') },
      }),
    ).toMatchObject({ userId: null, detail: { outcome: 'unknown-account' } });
  });

  it(`RC-01 at most ${RESET_EMAILS_PER_HOUR} reset emails an hour per account, so the form cannot flood a mailbox`, async () => {
    const t = securitySetup();
    const user = await createUser();
    for (let i = 0; i < RESET_EMAILS_PER_HOUR + 2; i++)
      await requestPasswordReset(t.deps, { identifier: user.username, ...who });
    await t.flush();
    expect(t.sender.sent.filter((m) => m.to === user.email)).toHaveLength(RESET_EMAILS_PER_HOUR);
  });
});

describe('RC-02 reset links', () => {
  it('RC-02 SE-01 a link carries 256 random bits on the configured origin; the store keeps only its hash', async () => {
    const t = securitySetup();
    const recorded = recordingStore(t.deps.store);
    const user = await createUser();
    const token = await emailedToken(
      { ...t, deps: { ...t.deps, store: recorded.store } },
      user.username,
    );
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t.sender.last().text).toContain(`${ORIGIN}/reset-password?token=${token}`);
    expect(JSON.stringify(recorded.log)).not.toContain(token);
    expect(new Set(Array.from({ length: 200 }, newResetToken)).size).toBe(200);
  });

  it('RC-02 opening the link changes nothing; the link works once, even for 10 concurrent submissions', async () => {
    const t = securitySetup();
    const user = await createUser();
    const token = await emailedToken(t, user.username);
    expect(await findPasswordReset(t.deps, token)).toMatchObject({
      ok: true,
      userId: user.id,
      username: user.username,
    });
    expect(await findPasswordReset(t.deps, token)).toMatchObject({ ok: true });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        resetPassword(t.deps, { token, password: NEW_PASSWORD, ...who }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual(Array(9).fill({ ok: false, reason: 'invalid' }));
    expect(
      await resetPassword(t.deps, { token, password: 'another long passphrase here', ...who }),
    ).toEqual({ ok: false, reason: 'invalid' });
    expect(await checkPassword(NEW_PASSWORD, await hashOf(user.id))).toMatchObject({ ok: true });
  });

  it('RC-02 a link expires after its lifetime, and a newer link replaces the one before', async () => {
    const t = securitySetup({ resetMinutes: 30 });
    const user = await createUser();
    const first = await emailedToken(t, user.username);
    const second = await emailedToken(t, user.username);
    expect(await findPasswordReset(t.deps, first)).toEqual({ ok: false, reason: 'invalid' });
    t.clock.advance(30 * 60_000 - 1);
    expect(await findPasswordReset(t.deps, second)).toMatchObject({ ok: true });
    t.clock.advance(1);
    expect(await resetPassword(t.deps, { token: second, password: NEW_PASSWORD, ...who })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await checkPassword(PASSWORD, await hashOf(user.id))).toMatchObject({ ok: true });
  });

  it('RC-02 PW-01 a refused password does not use up the link; malformed and invented tokens are refused', async () => {
    const t = securitySetup();
    const user = await createUser();
    const token = await emailedToken(t, user.username);
    const weak = await resetPassword(t.deps, { token, password: 'too short', ...who });
    expect(weak).toMatchObject({ ok: false, reason: 'weak' });
    expect(await resetPassword(t.deps, { token, password: NEW_PASSWORD, ...who })).toEqual({
      ok: true,
      username: user.username,
    });
    for (const bad of ['', 'x', `${token}x`, newResetToken()])
      expect(await findPasswordReset(t.deps, bad)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('RC-03 RC-05 a reset never signs in and never skips the code', () => {
  it('RC-03 TD-06 SE-06 a reset ends every session and trusted device; the next sign-in on a trusted browser asks for the code', async () => {
    const t = securitySetup();
    const user = await createUser();
    const device = await trustDevice({
      userId: user.id,
      name: 'Laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    const sessions = [
      await createSessionRecord({ userId: user.id, maxAgeSeconds: 3600, ...who }),
      await createSessionRecord({ userId: user.id, maxAgeSeconds: 3600, ...who }),
    ];
    const token = await emailedToken(t, user.email);

    const result = await resetPassword(t.deps, { token, password: NEW_PASSWORD, ...who });
    expect(result).toEqual({ ok: true, username: user.username }); // no ticket, no session: nothing to sign in with
    for (const sid of sessions) expect(await findLiveSession(sid)).toBeNull();
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await listTrustedDevices(user.id, undefined)).toEqual([]);
    expect(
      (await db.auditEvent.findFirst({ where: { userId: user.id, type: 'device.revoked' } }))
        ?.detail,
    ).toMatchObject({ reason: 'password-reset', count: 1 });

    const old = await submitPassword(t.signIn, {
      username: user.username,
      password: PASSWORD,
      deviceToken: device.token,
      ...who,
    });
    expect(old).toEqual({ ok: false, reason: 'invalid' });
    const next = await submitPassword(t.signIn, {
      username: user.username,
      password: NEW_PASSWORD,
      deviceToken: device.token,
      ...who,
    });
    expect(next).toMatchObject({ ok: true, next: 'method' });
  });

  it('RC-05 the person is told by email that the password was reset, and the reset is audited without secrets', async () => {
    const t = securitySetup();
    const user = await createUser();
    const token = await emailedToken(t, user.username);
    await resetPassword(t.deps, { token, password: NEW_PASSWORD, ...who });
    expect(t.sender.last()).toMatchObject({
      channel: 'email',
      to: user.email,
      subject: 'Your Latchkey password was reset',
    });
    expect(t.sender.last().text).toContain(who.ip);
    const reset = await db.auditEvent.findFirst({
      where: { userId: user.id, type: 'password.reset' },
    });
    expect(reset?.detail).toEqual({ sessionsEnded: 0, noticeSent: true });
    const trail = JSON.stringify(await db.auditEvent.findMany({ where: { userId: user.id } }));
    expect(trail).not.toContain(token);
    expect(trail).not.toContain(NEW_PASSWORD);
  });

  it('RC-02 a link whose email could not be sent stops working, and the failure is audited', async () => {
    const t = securitySetup();
    const user = await createUser();
    const failing = {
      ...t.deps,
      senderFor: () => ({
        send: async () => {
          throw new Error('Postmark said no');
        },
      }),
    };
    const recorded = recordingStore(t.deps.store);
    await requestPasswordReset(
      { ...failing, store: recorded.store },
      { identifier: user.username, ...who },
    );
    await t.flush();
    const tokenPut = recorded.log.find(
      (e) => e.op === 'put' && String(e.args[0]).startsWith('password-reset:'),
    );
    expect(recorded.log.some((e) => e.op === 'delete' && e.args[0] === tokenPut?.args[0])).toBe(
      true,
    );
    expect(
      await db.auditEvent.findFirst({
        where: { userId: user.id, type: 'password.reset_send_failed' },
      }),
    ).not.toBeNull();
  });
});
