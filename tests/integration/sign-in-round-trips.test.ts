import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '@/lib/db';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode } from '@/lib/auth/sign-in-code';
import { challengeKeys } from '@/lib/challenges/challenge';
import { findLiveSession } from '@/lib/auth/session-record';
import { trustDevice } from '@/lib/devices/trusted-devices';
import { ratePolicies } from '@/lib/rate-limit/policies';
import { createUpstashRateLimiter } from '@/lib/rate-limit/upstash-rate-limiter';
import { createUpstashClient } from '@/lib/store/upstash-client';
import { createUpstashStore } from '@/lib/store/upstash-store';
import {
  capturingSender,
  createUser,
  passwordStep,
  PASSWORD,
  testDeps,
  trustedBrowser,
} from '../support/sign-in-fixtures';
import { startUpstashBridge } from '../support/upstash-bridge';

// The lean sign-in path (docs/decisions/0013-lean-sign-in-path.md): what a proven sign-in writes,
// in one statement, and how many Redis round trips each step costs, counted at the Upstash bridge.

const who = { ip: '203.0.113.91', userAgent: 'vitest round trips' };

const typesOf = async (userId: string) =>
  (
    await db.auditEvent.findMany({
      where: { userId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    })
  ).map((e) => e.type);

/** A refused session step wrote nothing: no session, no lastSignInAt, only the earlier audit rows. */
async function expectNoSessionWritten(userId: string, auditTypes: string[]) {
  expect(await db.session.count({ where: { userId } })).toBe(0);
  expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).lastSignInAt).toBeNull();
  expect(await typesOf(userId)).toEqual(auditTypes);
}

/** A two-factor user past the password step, with an email code sent: the code step's input. */
async function codeSignIn(
  deps: ReturnType<typeof testDeps>,
  sender: ReturnType<typeof capturingSender>,
) {
  const user = await createUser({ phone: null });
  const started = await passwordStep(deps, user, who);
  await sendCode(deps, { ticketId: started.ticketId, channel: 'email', ...who });
  return { user, ticketId: started.ticketId, code: sender.last().code! };
}

describe('a proven sign-in ends in one statement', () => {
  it('RC-06 SE-06 a trusted browser: no ticket in the store; password_ok, device.used and signin.succeeded, lastSignInAt and the session row written together; the proof works once', async () => {
    const deps = testDeps();
    const user = await createUser();
    const device = await trustDevice({
      userId: user.id,
      name: 'Round-trip laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    });
    const started = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      deviceToken: device.token,
      ...who,
    });
    if (!started.ok || started.next !== 'session')
      throw new Error('the trusted browser should skip the code');
    expect(await deps.store.get(challengeKeys(started.ticketId).record)).toBeNull();
    // Nothing is written before the session is: the step's events travel with it.
    expect(await typesOf(user.id)).toEqual(['device.trusted']);

    const done = await completeSignIn(deps, { ticketId: started.ticketId, ...who });
    expect(done).toMatchObject({ userId: user.id, method: 'trusted-device' });
    expect(await typesOf(user.id)).toEqual([
      'device.trusted',
      'signin.password_ok',
      'device.used',
      'signin.succeeded',
    ]);
    expect(
      (await db.user.findUniqueOrThrow({ where: { id: user.id } })).lastSignInAt,
    ).not.toBeNull();
    const session = await findLiveSession(done!.sessionId);
    expect(session).toMatchObject({ userId: user.id });
    expect(await db.session.findUniqueOrThrow({ where: { id: session!.id } })).toMatchObject({
      ip: who.ip,
      userAgent: who.userAgent,
    });
    expect(deps.deferred).toHaveLength(0);

    // OTP-03: the handoff is taken once; concurrent or later takers get nothing.
    expect(await completeSignIn(deps, { ticketId: started.ticketId, ...who })).toBeNull();
    expect(await db.session.count({ where: { userId: user.id } })).toBe(1);
  });

  it('SE-03 the in-process proof exists only after a proven step: a two-factor password step hands nothing over', async () => {
    const deps = testDeps();
    const user = await createUser();
    const started = await passwordStep(deps, user, who);
    expect(started.next).toBe('method');
    expect(await completeSignIn(deps, { ticketId: started.ticketId, ...who })).toBeNull();
    await expectNoSessionWritten(user.id, ['signin.password_ok']);
  });

  it('SE-06 a user disabled between the proof and the session gets no session, and nothing is half written', async () => {
    const deps = testDeps();
    const user = await createUser({ twoFactor: false });
    const started = await passwordStep(deps, user, who);
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await completeSignIn(deps, { ticketId: started.ticketId, ...who })).toBeNull();
    await expectNoSessionWritten(user.id, []);
  });

  it('SE-06 a user disabled between the code and the session gets no session (the session statement checks, with no read before it)', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const { user, ticketId, code } = await codeSignIn(deps, sender);
    expect(await submitCode(deps, { ticketId: ticketId, code, ...who })).toEqual({
      ok: true,
      next: 'session',
    });
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await completeSignIn(deps, { ticketId: ticketId, ...who })).toBeNull();
    await expectNoSessionWritten(user.id, ['signin.password_ok', 'code.sent']);
  });

  it('RC-06 P2 a code sign-in: the audit rows are written with the session in its one statement, and nothing is left for after the response', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const { user, ticketId, code } = await codeSignIn(deps, sender);
    // P2: the code and its session cost one SQL statement, the session's (the user is not read
    // before it: the statement itself refuses a user who is gone or disabled).
    const statements = vi.spyOn(pg.Client.prototype, 'query');
    try {
      expect(await submitCode(deps, { ticketId: ticketId, code, ...who })).toEqual({
        ok: true,
        next: 'session',
      });
      expect(await completeSignIn(deps, { ticketId: ticketId, ...who })).toMatchObject({
        method: 'code',
      });
      expect(statements).toHaveBeenCalledTimes(1);
    } finally {
      statements.mockRestore();
    }
    expect(await typesOf(user.id)).toEqual(['signin.password_ok', 'code.sent', 'signin.succeeded']);
    expect(deps.deferred).toHaveLength(0);
  });
});

describe.skipIf(!process.env.REDIS_URL)(
  'Redis round trips per step, counted at the Upstash bridge (needs REDIS_URL)',
  () => {
    let bridge: Awaited<ReturnType<typeof startUpstashBridge>>;
    beforeAll(async () => {
      bridge = await startUpstashBridge({ redisUrl: process.env.REDIS_URL! });
    });
    afterAll(async () => {
      await bridge?.close();
    });

    function upstashDeps(sender = capturingSender()) {
      const keyPrefix = `round-trips:${randomUUID()}:`;
      // One client for both, as lib/store/store.ts and get-rate-limiter.ts wire them (decision 0025).
      const redis = createUpstashClient({ url: bridge.url, token: bridge.token });
      const store = createUpstashStore({ redis, keyPrefix });
      const limits = createUpstashRateLimiter({
        redis,
        keyPrefix,
        policies: ratePolicies({ smsDailyBudget: 1000 }),
      });
      return Object.assign(testDeps({ sender }), { store, limits });
    }

    /** Round trips and commands of `step` alone. */
    async function counted<T>(step: () => Promise<T>) {
      const requests = bridge.stats.requests;
      const commands = { ...bridge.stats.commands };
      const value = await step();
      const delta = Object.fromEntries(
        Object.entries(bridge.stats.commands).flatMap(([name, n]) =>
          n - (commands[name] ?? 0) ? [[name, n - (commands[name] ?? 0)]] : [],
        ),
      );
      return { value, requests: bridge.stats.requests - requests, commands: delta };
    }

    it('P2 OTP-03 OTP-06 a correct code and its session cost one Redis round trip (one script), which also restarts the send counters', async () => {
      const sender = capturingSender();
      const deps = upstashDeps(sender);
      // The first use of a script may cost a NOSCRIPT and an EVAL; count a warm one.
      const warm = await codeSignIn(deps, sender);
      await submitCode(deps, { ticketId: warm.ticketId, code: warm.code, ...who });
      await completeSignIn(deps, { ticketId: warm.ticketId, ...who });
      await deps.flushDeferred();

      const { user, ticketId, code } = await codeSignIn(deps, sender);
      const verify = await counted(async () => {
        expect(await submitCode(deps, { ticketId, code, ...who })).toEqual({
          ok: true,
          next: 'session',
        });
        return completeSignIn(deps, { ticketId, ...who });
      });
      expect(verify.value).toMatchObject({ userId: user.id, method: 'code' });
      expect(verify.requests).toBe(1);
      expect(verify.commands).toEqual({ evalsha: 1 });
      expect(deps.deferred).toHaveLength(0);
    });

    it('P2 OTP-05 OTP-13 a wrong code costs one round trip: the check counts the notice counter too', async () => {
      const sender = capturingSender();
      const deps = upstashDeps(sender);
      const warm = await codeSignIn(deps, sender);
      await submitCode(deps, {
        ticketId: warm.ticketId,
        code: warm.code === '000000' ? '000001' : '000000',
        ...who,
      });
      const { ticketId, code } = await codeSignIn(deps, sender);
      const wrong = await counted(() =>
        submitCode(deps, { ticketId, code: code === '000000' ? '000001' : '000000', ...who }),
      );
      expect(wrong.value).toEqual({ ok: false, reason: 'mismatch', attemptsLeft: 4 });
      // The check also counts the account's OTP-13 notice counter; the notice itself, when one is
      // due, goes after the response.
      expect(wrong.commands).toEqual({ evalsha: 1 });
      expect(wrong.requests).toBe(1);
    });

    it('P1 TD-04 BF-01 a trusted browser signs in with one Redis request before the hash (address and global limits beside the attempt count of the name), one release of the count, and no ticket', async () => {
      const upstash = upstashDeps();
      // Requests that had reached the bridge when the password check began.
      let atCheck = 0;
      const deps = {
        ...upstash,
        passwords: {
          ...upstash.passwords,
          check: (password: string, hash: string | null | undefined) => {
            atCheck = bridge.stats.requests;
            return upstash.passwords.check(password, hash);
          },
        },
      };
      const user = await createUser();
      const trusted = await trustedBrowser(deps, user, who);
      const signIn = () => counted(trusted);
      await signIn(); // warm scripts
      const before = bridge.stats.requests;
      const login = await signIn();
      expect(login.value).toMatchObject({ userId: user.id, method: 'trusted-device' });
      expect(atCheck - before).toBe(1);
      // One request: the limiter's two peeks and the store's count (one script, which also reads
      // the lock), on one client. Then the right password releases the count (one pipeline of two
      // DELs), beside the device token's database update. Before decision 0020: 2 requests; before
      // decision 0025 (limiter and store on clients of their own): 3.
      expect(login.requests).toBe(2);
      expect(login.commands).toEqual({ evalsha: 3, del: 2 });
    });

    it('P1 BF-01 a two-factor password step: the release of the count shares one request with the ticket', async () => {
      const deps = upstashDeps();
      const user = await createUser();
      const step = () =>
        counted(() =>
          submitPassword(deps, { username: user.username, password: PASSWORD, ...who }),
        );
      await step(); // warm scripts
      const started = await step();
      expect(started.value).toMatchObject({ ok: true, next: 'method' });
      // Limiter and count in one request, then the ticket's SET with the two DELs (3 before
      // decision 0025).
      expect(started.requests).toBe(2);
      expect(started.commands).toEqual({ evalsha: 3, del: 2, set: 1 });
    });
  },
);
