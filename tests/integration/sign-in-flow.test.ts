import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { hash } from '@node-rs/argon2';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode, viewTicket } from '@/lib/auth/sign-in-code';
import { challengeKeys } from '@/lib/challenges/challenge';
import {
  capturingSender,
  createUser,
  manualClock,
  PASSWORD,
  testDeps,
} from '../support/sign-in-fixtures';

const who = { ip: '203.0.113.7', userAgent: 'vitest' };

async function passwordStep(deps: ReturnType<typeof testDeps>, username: string) {
  const result = await submitPassword(deps, { username, password: PASSWORD, ...who });
  if (!result.ok) throw new Error('password step failed');
  return result.ticketId;
}

async function codeSent(
  deps: ReturnType<typeof testDeps>,
  sender: ReturnType<typeof capturingSender>,
  username: string,
) {
  const ticketId = await passwordStep(deps, username);
  const sent = await sendCode(deps, { ticketId, channel: 'email', ...who });
  expect(sent.ok).toBe(true);
  return { ticketId, code: sender.last().code! };
}

describe('password step', () => {
  it('PW-08 passwords are stored as argon2id with m=19456 t=2 p=1 in the PHC string, and weaker hashes are upgraded at sign-in', async () => {
    const weak = await hash(PASSWORD, {
      algorithm: 2,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    const user = await createUser({ passwordHash: weak });
    await passwordStep(testDeps(), user.username);
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(
      await db.auditEvent.count({ where: { userId: user.id, type: 'password.rehashed' } }),
    ).toBe(1);
  });

  it('PW-10 unknown user, wrong password and disabled account give the same answer in similar time', async () => {
    const deps = testDeps();
    const active = await createUser();
    const disabled = await createUser({ disabled: true });
    const attempts = {
      unknown: { username: 'no-such-user-anywhere', password: PASSWORD },
      wrong: { username: active.username, password: 'wrong password entirely' },
      disabled: { username: disabled.username, password: PASSWORD },
    };
    const timings: Record<string, number[]> = { unknown: [], wrong: [], disabled: [] };
    for (let round = 0; round < 5; round++) {
      for (const [name, input] of Object.entries(attempts)) {
        const started = performance.now();
        const result = await submitPassword(deps, { ...input, ...who });
        timings[name]!.push(performance.now() - started);
        expect(result).toEqual({ ok: false, reason: 'invalid' });
      }
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[2]!;
    // Every path pays for one argon2id verify; an unknown user must not be answered early.
    expect(median(timings.unknown!)).toBeGreaterThan(median(timings.wrong!) * 0.5);
    expect(median(timings.disabled!)).toBeGreaterThan(median(timings.wrong!) * 0.5);
  });

  it('BF-03 usernames are case-insensitive', async () => {
    const user = await createUser();
    const result = await submitPassword(testDeps(), {
      username: user.username.toUpperCase(),
      password: PASSWORD,
      ...who,
    });
    expect(result.ok).toBe(true);
  });

  it('SE-03 the password step alone yields no session', async () => {
    const deps = testDeps();
    const user = await createUser();
    const ticketId = await passwordStep(deps, user.username);
    expect(await completeSignIn(deps, { ticketId, ...who })).toBeNull();
    // …and the ticket is still usable for the code step afterwards.
    expect(await viewTicket(deps, ticketId)).not.toBeNull();
  });

  it('a user with two-factor off signs in with the password alone, unless REQUIRE_TWO_FACTOR forbids it', async () => {
    const user = await createUser({ twoFactor: false });
    const relaxed = await submitPassword(testDeps(), {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    expect(relaxed).toMatchObject({ ok: true, next: 'session' });
    const done = await completeSignIn(testDeps(), {
      ticketId: (relaxed as { ticketId: string }).ticketId,
      ...who,
    });
    expect(done).toEqual({
      userId: user.id,
      method: 'password-only',
      sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });

    const strict = await submitPassword(testDeps({ config: { requireTwoFactor: true } }), {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    expect(strict).toMatchObject({ ok: true, next: 'method' });
  });
});

describe('codes', () => {
  it('OTP-01 codes are 6 digits with leading zeros kept', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const ticketId = await passwordStep(deps, user.username);
    for (let i = 0; i < 20; i++) await sendCode(deps, { ticketId, channel: 'email', ...who });
    expect(sender.sent).toHaveLength(20);
    for (const m of sender.sent) expect(m.code).toMatch(/^\d{6}$/);
  });

  it('OTP-02 a code is accepted at 44 s and refused at 46 s', async () => {
    const clock = manualClock();
    const sender = capturingSender();
    const deps = testDeps({ sender, now: clock.now });
    const early = await codeSent(deps, sender, (await createUser()).username);
    clock.advance(44_000);
    expect(
      await submitCode(deps, { ticketId: early.ticketId, code: early.code, ...who }),
    ).toMatchObject({ ok: true });

    const late = await codeSent(deps, sender, (await createUser()).username);
    clock.advance(46_000);
    expect(await submitCode(deps, { ticketId: late.ticketId, code: late.code, ...who })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('OTP-03 20 parallel submissions of one correct code give exactly one sign-in', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const { ticketId, code } = await codeSent(deps, sender, user.username);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const checked = await submitCode(deps, { ticketId, code, ...who });
        return checked.ok ? completeSignIn(deps, { ticketId, ...who }) : null;
      }),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(
      await db.auditEvent.count({ where: { userId: user.id, type: 'signin.succeeded' } }),
    ).toBe(1);
  });

  it('OTP-04 a code works only for the ticket it was sent for', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const first = await codeSent(deps, sender, user.username);
    const second = await codeSent(deps, sender, user.username);
    if (first.code !== second.code) {
      expect(
        await submitCode(deps, { ticketId: second.ticketId, code: first.code, ...who }),
      ).toMatchObject({ ok: false, reason: 'mismatch' });
    }
    expect(
      await submitCode(deps, { ticketId: first.ticketId, code: first.code, ...who }),
    ).toMatchObject({ ok: true });
  });

  it('OTP-05 five wrong tries burn the code; the account-wide counter survives a resend and a success resets it', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const { ticketId, code } = await codeSent(deps, sender, user.username);
    const wrong = code === '000000' ? '111111' : '000000';
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push(await submitCode(deps, { ticketId, code: wrong, ...who }));
    expect(
      results.map((r) => (r.ok ? 'ok' : r.reason === 'mismatch' ? r.attemptsLeft : r.reason)),
    ).toEqual([4, 3, 2, 1, 'burnt']);
    expect(await submitCode(deps, { ticketId, code, ...who })).toMatchObject({ ok: false });
    expect(await deps.store.get<number>(`code-failures:${user.id}`)).toBe(5);

    await sendCode(deps, { ticketId, channel: 'email', ...who });
    expect(await deps.store.get<number>(`code-failures:${user.id}`)).toBe(5);
    expect(await submitCode(deps, { ticketId, code: sender.last().code!, ...who })).toMatchObject({
      ok: true,
    });
    expect(await deps.store.get<number>(`code-failures:${user.id}`)).toBeNull();
  });

  it('OTP-06 a resend voids the previous code and has a cooldown', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender, config: { resendCooldownSeconds: 30 } });
    const user = await createUser();
    const ticketId = await passwordStep(deps, user.username);
    expect((await sendCode(deps, { ticketId, channel: 'email', ...who })).ok).toBe(true);
    const old = sender.last().code!;
    expect(await sendCode(deps, { ticketId, channel: 'email', ...who })).toMatchObject({
      ok: false,
      reason: 'cooldown',
    });
    expect(sender.sent).toHaveLength(1);

    const noCooldown = testDeps({ sender });
    await sendCode(noCooldown, { ticketId, channel: 'email', ...who });
    const fresh = sender.last().code!;
    if (fresh !== old)
      expect(await submitCode(deps, { ticketId, code: old, ...who })).toMatchObject({
        ok: false,
        reason: 'mismatch',
      });
    expect(await submitCode(deps, { ticketId, code: fresh, ...who })).toMatchObject({ ok: true });
  });

  it('OTP-07 the store and the audit log hold only a keyed hash of the code', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const { ticketId, code } = await codeSent(deps, sender, user.username);
    const stored = await deps.store.get<Record<string, unknown>>(challengeKeys(ticketId).code);
    expect(Object.keys(stored ?? {}).sort()).toEqual(['attemptsLeft', 'expiresAt', 'hash']);
    expect(stored?.hash).not.toContain(code);
    expect(stored?.hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const events = await db.auditEvent.findMany({ where: { userId: user.id } });
    expect(JSON.stringify(events)).not.toContain(code);
  });

  it('codes go to the destination in the database at send time, never a cached one', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const ticketId = await passwordStep(deps, user.username);
    await sendCode(deps, { ticketId, channel: 'email', ...who });
    expect(sender.last().to).toBe(user.email);
    await db.user.update({
      where: { id: user.id },
      data: { email: 'moved@example.test', phone: '+14155550199' },
    });
    await sendCode(deps, { ticketId, channel: 'email', ...who });
    expect(sender.last().to).toBe('moved@example.test');
    await sendCode(deps, { ticketId, channel: 'sms', ...who });
    expect(sender.last().to).toBe('+14155550199');
  });

  it('SMS and voice are offered only to users with a phone', async () => {
    const deps = testDeps();
    const withoutPhone = await createUser({ phone: null });
    const ticketId = await passwordStep(deps, withoutPhone.username);
    expect((await viewTicket(deps, ticketId))?.choices.map((c) => c.channel)).toEqual(['email']);
    expect(await sendCode(deps, { ticketId, channel: 'sms', ...who })).toEqual({
      ok: false,
      reason: 'channel-unavailable',
    });
  });
});
