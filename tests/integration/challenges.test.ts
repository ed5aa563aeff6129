import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { confirmFreshCode, getFreshCodeUntil, sendFreshCode } from '@/lib/auth/fresh-code';
import { submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode, viewTicket } from '@/lib/auth/sign-in-code';
import { pendingChallengeKey } from '@/lib/challenges/challenge';
import { ACCOUNT_CODE_FAILURE_LIMIT } from '@/lib/challenges/challenge-deps';
import type { OutgoingMessage, Sender } from '@/lib/delivery/sender';
import {
  confirmIdentity,
  requestContactChange,
  sendIdentityCode,
} from '@/lib/account/contact-change';
import { contactChangeSetup, securitySetup } from '../support/account-security-fixtures';
import { freshIp, limitedDeps, limiterFor } from '../support/limit-fixtures';
import { capturingSender, createUser, PASSWORD } from '../support/sign-in-fixtures';

// Every one-time code goes through one challenge module (lib/challenges): one channel policy, one
// set of limits, one wrong-code count and notice, whatever the code is for. Each test here is a
// way around that which an outside review found open when each purpose had its own copy.

const who = { ip: '203.0.113.99', userAgent: 'vitest' };
const NOTICE = 'Wrong security codes were entered for your Latchkey account';
const notices = (sender: { sent: OutgoingMessage[] }) =>
  sender.sent.filter((m) => m.subject === NOTICE);
const wrong = (code: string | undefined) => (code === '000000' ? '111111' : '000000');

async function signInTicket(deps: ReturnType<typeof limitedDeps>, username: string) {
  const password = await submitPassword(deps, {
    username,
    password: PASSWORD,
    ip: freshIp(),
    userAgent: 'vitest',
  });
  if (!password.ok) throw new Error('password step failed');
  return password.ticketId;
}

/** Fresh-code collaborators whose limits start from zero in a namespace of their own. */
function stepUpSetup() {
  const t = securitySetup();
  t.deps.limits = limiterFor();
  return t;
}

/** Confirms it's the user, then asks for a code to a new phone: the answer, and whether anything was sent. */
async function profilePhoneChange(t: ReturnType<typeof contactChangeSetup>, phone: string) {
  const user = await createUser();
  await sendIdentityCode(t.deps, { userId: user.id, ...who });
  await confirmIdentity(t.deps, { userId: user.id, code: t.sender.last().code!, ...who });
  const before = t.sender.sent.length;
  const result = await requestContactChange(t.deps, {
    userId: user.id,
    kind: 'phone',
    value: phone,
    ...who,
  });
  return { result, sent: t.sender.sent.length - before };
}

describe('FR-01 FR-03 one channel policy for every code', () => {
  it('FR-01 a new phone on the profile in a country outside SMS_ALLOWED_COUNTRY_CODES gets no SMS', async () => {
    const t = contactChangeSetup();
    t.deps.limits = limiterFor();
    t.deps.config = { ...t.deps.config, smsAllowedCallingCodes: ['1'] };
    expect(await profilePhoneChange(t, '+447400123456')).toEqual({
      result: { ok: false, reason: 'channel-unavailable' },
      sent: 0,
    });
    // The same page, the same person: a number in an allowed country does get its SMS.
    expect(await profilePhoneChange(t, '+14155550197')).toMatchObject({
      result: { ok: true },
      sent: 1,
    });
  });

  it('FR-03 with SMS_KILL_SWITCH on, a new phone on the profile gets no SMS', async () => {
    const t = contactChangeSetup();
    t.deps.limits = limiterFor();
    t.deps.config = { ...t.deps.config, smsKillSwitch: true };
    expect(await profilePhoneChange(t, '+14155550199')).toEqual({
      result: { ok: false, reason: 'channel-unavailable' },
      sent: 0,
    });
  });

  it('FR-03 a spent daily SMS budget stops the profile SMS too', async () => {
    const t = contactChangeSetup();
    t.deps.limits = limiterFor({
      'sms-daily-budget': { limit: 0, windowMs: 86_400_000, counts: 'test' },
    });
    expect(await profilePhoneChange(t, '+14155550198')).toEqual({
      result: { ok: false, reason: 'channel-unavailable' },
      sent: 0,
    });
  });
});

describe('OTP-04 a challenge answers only for its own purpose', () => {
  it("OTP-04 a step-up challenge's id in the sign-in cookie is no login ticket", async () => {
    const t = stepUpSetup();
    const user = await createUser();
    await sendFreshCode(t.deps, { userId: user.id, action: 'password', ...who });
    const code = t.sender.last().code!;
    const stepUpId = await t.deps.store.get<string>(pendingChallengeKey('step-up', 'session-a'));
    const deps = limitedDeps({ sender: t.sender });
    expect(await viewTicket(deps, stepUpId!)).toBeNull();
    expect(await submitCode(deps, { ticketId: stepUpId!, code, ...who })).toEqual({
      ok: false,
      reason: 'no-ticket',
    });
    // The step-up challenge itself is untouched and still takes its code.
    expect(await confirmFreshCode(t.deps, { userId: user.id, code, ...who })).toEqual({ ok: true });
  });
});

describe('OTP-05 OTP-13 wrong codes count for the account, whatever they were for', () => {
  it(`OTP-05 wrong "confirm it's you" codes reach the account's daily counter: at ${ACCOUNT_CODE_FAILURE_LIMIT} even a sign-in code is refused`, async () => {
    const t = stepUpSetup();
    const user = await createUser();
    // Five wrong codes burn each code; a new step-up challenge gives five more.
    for (let round = 0; round < ACCOUNT_CODE_FAILURE_LIMIT / 5; round++) {
      t.session.id = `session-${round}`;
      expect(
        await sendFreshCode(t.deps, { userId: user.id, action: 'password', ...who }),
      ).toMatchObject({ ok: true });
      const code = wrong(t.sender.last().code);
      for (let i = 0; i < 5; i++) await confirmFreshCode(t.deps, { userId: user.id, code, ...who });
    }
    const deps = limitedDeps({ sender: t.sender });
    const ticketId = await signInTicket(deps, user.username);
    expect(await sendCode(deps, { ticketId, channel: 'email', ...who })).toEqual({
      ok: false,
      reason: 'locked',
    });
  });

  it('OTP-13 the owner is told at the 3rd wrong code of the day, even when they were step-up codes spread over sessions', async () => {
    const t = stepUpSetup();
    const user = await createUser();
    for (const session of ['a', 'b']) {
      t.session.id = session;
      await sendFreshCode(t.deps, { userId: user.id, action: 'devices', ...who });
      const code = wrong(t.sender.last().code);
      await confirmFreshCode(t.deps, { userId: user.id, code, ...who });
      await confirmFreshCode(t.deps, { userId: user.id, code, ...who });
      await t.flush();
    }
    const [notice] = notices(t.sender);
    expect(notices(t.sender)).toHaveLength(1);
    expect(notice).toMatchObject({ channel: 'email', to: user.email });
    expect(notice!.text).toContain('3 wrong security codes');
    expect(notice!.code).toBeUndefined();
  });

  it('OTP-13 two wrong sign-in codes per sign-in, repeated, still tell the owner (3rd, then every 10th)', async () => {
    const sender = capturingSender();
    const deps = limitedDeps({ sender });
    const user = await createUser();
    for (let signIn = 0; signIn < 5; signIn++) {
      const ticketId = await signInTicket(deps, user.username);
      await sendCode(deps, { ticketId, channel: 'email', ...who });
      const code = wrong(sender.last().code);
      for (let i = 0; i < 2; i++) await submitCode(deps, { ticketId, code, ...who });
      await deps.flushDeferred();
      if (signIn === 0) expect(notices(sender)).toHaveLength(0);
      if (signIn === 1) expect(notices(sender)).toHaveLength(1);
    }
    // Ten wrong codes in all: the 3rd and the 10th were news.
    expect(notices(sender).map((m) => /(\d+) wrong/.exec(m.text)![1])).toEqual(['3', '10']);
    expect(
      await db.auditEvent.count({ where: { userId: user.id, type: 'code.failures_notified' } }),
    ).toBe(2);
  });

  it('OTP-13 a notice that cannot be sent is audited, and the person typing codes sees only the usual answer', async () => {
    const codes = capturingSender();
    const broken: Sender = {
      async send(message) {
        if (message.subject === NOTICE) throw new Error('Postmark is down');
        await codes.send(message);
      },
    };
    const deps = limitedDeps({ sender: broken });
    const user = await createUser();
    const ticketId = await signInTicket(deps, user.username);
    await sendCode(deps, { ticketId, channel: 'email', ...who });
    const code = wrong(codes.last().code);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await submitCode(deps, { ticketId, code, ...who }));
    expect(answers.at(-1)).toEqual({ ok: false, reason: 'mismatch', attemptsLeft: 2 });
    await deps.flushDeferred();
    const [event] = await db.auditEvent.findMany({
      where: { userId: user.id, type: 'code.failures_notice_failed' },
    });
    expect(event?.detail).toEqual({ notice: 'wrong-codes', error: 'Postmark is down' });
  });
});

describe('OTP-05 OTP-06 a resend never erases tries', () => {
  it('OTP-05 wrong codes entered while a resend is being delivered still count against the sign-in', async () => {
    const captured = capturingSender();
    const during: { run?: () => Promise<void> } = {};
    const slow: Sender = {
      async send(message) {
        await captured.send(message);
        const run = during.run;
        during.run = undefined;
        if (run) await run();
      },
    };
    const deps = limitedDeps({ sender: slow });
    const user = await createUser();
    const ticketId = await signInTicket(deps, user.username);
    const tryLimit = deps.limits.policies['code-try-challenge'].limit;
    await sendCode(deps, { ticketId, channel: 'email', ...who });
    for (let i = 0; i < 3; i++)
      await submitCode(deps, { ticketId, code: wrong(captured.last().code), ...who });
    // While the second code is on its way, three more wrong codes arrive.
    during.run = async () => {
      for (let i = 0; i < 3; i++)
        await submitCode(deps, { ticketId, code: wrong(captured.last().code), ...who });
    };
    expect(await sendCode(deps, { ticketId, channel: 'email', ...who })).toMatchObject({
      ok: true,
    });
    expect(await sendCode(deps, { ticketId, channel: 'email', ...who })).toMatchObject({
      ok: true,
    });
    const right = captured.last().code!;
    for (let i = 6; i < tryLimit; i++)
      await submitCode(deps, { ticketId, code: wrong(right), ...who });
    // Ten tries were spent: even the right code is refused now.
    expect(await submitCode(deps, { ticketId, code: right, ...who })).toMatchObject({
      ok: false,
      reason: 'limited',
    });
  });
});

describe('SE-07 freshness belongs to the session that entered the code', () => {
  it('SE-07 the owner confirming on their browser does not make another session of the account fresh', async () => {
    const t = stepUpSetup();
    const user = await createUser();
    t.session.id = 'owner-session';
    await sendFreshCode(t.deps, { userId: user.id, action: 'password', ...who });
    expect(
      await confirmFreshCode(t.deps, { userId: user.id, code: t.sender.last().code!, ...who }),
    ).toEqual({ ok: true });
    expect(await getFreshCodeUntil(t.deps, user.id)).not.toBeNull();

    t.session.id = 'attacker-session';
    expect(await getFreshCodeUntil(t.deps, user.id)).toBeNull();
    // Nor can that session answer the owner's pending code.
    t.session.id = 'owner-session';
    await sendFreshCode(t.deps, { userId: user.id, action: 'password', ...who });
    const code = t.sender.last().code!;
    t.session.id = 'attacker-session';
    expect(await confirmFreshCode(t.deps, { userId: user.id, code, ...who })).toEqual({
      ok: false,
      reason: 'no-code',
    });
    expect(await getFreshCodeUntil(t.deps, user.id)).toBeNull();
  });
});
