import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { db } from '@/lib/db';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode, viewTicket } from '@/lib/auth/sign-in-code';
import { nameDevice } from '@/lib/auth/sign-in-device';
import { challengeKeys } from '@/lib/challenges/challenge';
import { StoreUnavailableError } from '@/lib/store/expiring-store';
import { createUpstashStore } from '@/lib/store/upstash-store';
import { createPostmarkSender } from '@/lib/delivery/postmark-sender';
import { createTwilioSender } from '@/lib/delivery/twilio-sender';
import { ratePolicies } from '@/lib/rate-limit/policies';
import { createUpstashRateLimiter } from '@/lib/rate-limit/upstash-rate-limiter';
import type { Sender } from '@/lib/delivery/sender';
import { startFakePostmark, type FakePostmark } from '../support/fake-postmark';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import {
  REDIS_SERVER_BINARY,
  startBlackHole,
  startOwnRedis,
  type OwnRedis,
} from '../support/redis-server';
import { capturingSender, createUser, PASSWORD, testDeps } from '../support/sign-in-fixtures';
import { startUpstashBridge } from '../support/upstash-bridge';

// Faults against real servers (AV-01, AV-02): a Redis of the test's own that is killed and
// restarted, the Upstash bridge going away, black-holed Redis and PostgreSQL ports, and the local
// Postmark and Twilio fakes answering 5xx or too late. Each must end in a clear outcome, leave
// nothing half-done, and never let anyone in without a code. The quick cases (a Redis or database
// port that refuses, Postmark 5xx) are in availability.test.ts.

const who = { ip: '198.51.100.77', userAgent: 'vitest faults' };
const STORE_TIMEOUT_MS = 600;
type Deps = ReturnType<typeof testDeps>;

/** A phone number of this file's own, so the per-number send caps never see another file's sends. */
const ownPhone = () => `+1646555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;

/** The store and the production rate limiter, both on one Upstash endpoint, as deployed. */
function upstashDeps(url: string, token: string, sender?: ReturnType<typeof capturingSender>) {
  const keyPrefix = `faults:${randomUUID()}:`;
  const store = createUpstashStore({ url, token, keyPrefix, timeoutMs: STORE_TIMEOUT_MS });
  const limits = createUpstashRateLimiter({
    url,
    token,
    keyPrefix,
    policies: ratePolicies({ smsDailyBudget: 1000 }),
    timeoutMs: STORE_TIMEOUT_MS,
  });
  return { ...testDeps(sender ? { sender } : {}), store, limits };
}

async function codeSent(deps: Deps, sender: ReturnType<typeof capturingSender>) {
  const user = await createUser({ phone: ownPhone() });
  const started = await submitPassword(deps, {
    username: user.username,
    password: PASSWORD,
    ...who,
  });
  if (!started.ok) throw new Error('password step failed');
  expect((await sendCode(deps, { ticketId: started.ticketId, channel: 'email', ...who })).ok).toBe(
    true,
  );
  return { user, ticketId: started.ticketId, code: sender.last().code! };
}

/** Nobody was signed in: no success in the audit log, no sign-in time on the user. */
async function expectNoSignIn(userId: string) {
  expect(await db.auditEvent.count({ where: { userId, type: 'signin.succeeded' } })).toBe(0);
  expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).lastSignInAt).toBeNull();
}

async function timed<T>(
  promise: Promise<T>,
): Promise<{ outcome: PromiseSettledResult<T>; ms: number }> {
  const started = performance.now();
  const [outcome] = await Promise.allSettled([promise]);
  return { outcome: outcome!, ms: performance.now() - started };
}

describe.skipIf(!REDIS_SERVER_BINARY)('AV-01 a real Redis going away (needs redis-server)', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function overBridge(sender: ReturnType<typeof capturingSender>) {
    const bridge = await startUpstashBridge({ redisUrl: redis.url });
    return { bridge, deps: upstashDeps(bridge.url, bridge.token, sender) };
  }

  it('AV-01 Redis unreachable after the code was sent: the code step fails closed in about a second, and once Redis is back the same code works exactly once', async () => {
    const sender = capturingSender();
    const { bridge, deps } = await overBridge(sender);
    const { user, ticketId, code } = await codeSent(deps, sender);

    await bridge.close();
    const check = await timed(submitCode(deps, { ticketId, code, ...who }));
    expect(check.outcome.status === 'rejected' && check.outcome.reason).toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(check.ms).toBeLessThan(3 * STORE_TIMEOUT_MS);
    await expect(completeSignIn(deps, { ticketId, ...who })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(sendCode(deps, { ticketId, channel: 'email', ...who })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expectNoSignIn(user.id);

    const port = Number(new URL(bridge.url).port);
    const back = await startUpstashBridge({ redisUrl: redis.url, port, token: bridge.token });
    try {
      // The failed check consumed nothing: the code and its tries are as they were.
      expect(await submitCode(deps, { ticketId, code, ...who })).toEqual({
        ok: true,
        next: 'session',
      });
      expect(await completeSignIn(deps, { ticketId, ...who })).toMatchObject({ userId: user.id });
      expect(await completeSignIn(deps, { ticketId, ...who })).toBeNull();
    } finally {
      await back.close();
    }
  });

  it('AV-01 the Redis server killed mid-flow: every step fails closed; restarted empty, the old sign-in is gone (start again) and a new one works', async () => {
    const sender = capturingSender();
    const { bridge, deps } = await overBridge(sender);
    try {
      const { user, ticketId, code } = await codeSent(deps, sender);

      await redis.stop();
      const check = await timed(submitCode(deps, { ticketId, code, ...who }));
      expect(check.outcome.status === 'rejected' && check.outcome.reason).toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(check.ms).toBeLessThan(3 * STORE_TIMEOUT_MS);
      await expect(completeSignIn(deps, { ticketId, ...who })).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(
        submitPassword(deps, { username: user.username, password: PASSWORD, ...who }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
      await expectNoSignIn(user.id);

      await redis.start();
      // The bridge's client reconnects on its own, within its retry back-off.
      await expect
        .poll(
          () =>
            deps.store.get('probe').then(
              () => true,
              () => false,
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
      expect(await submitCode(deps, { ticketId, code, ...who })).toEqual({
        ok: false,
        reason: 'no-ticket',
      });
      expect(await completeSignIn(deps, { ticketId, ...who })).toBeNull();
      await expectNoSignIn(user.id);

      const fresh = await submitPassword(deps, {
        username: user.username,
        password: PASSWORD,
        ...who,
      });
      if (!fresh.ok) throw new Error('password step failed after the restart');
      await sendCode(deps, { ticketId: fresh.ticketId, channel: 'email', ...who });
      expect(
        await submitCode(deps, { ticketId: fresh.ticketId, code: sender.last().code!, ...who }),
      ).toMatchObject({ ok: true });
      expect(await completeSignIn(deps, { ticketId: fresh.ticketId, ...who })).toMatchObject({
        userId: user.id,
      });
    } finally {
      await bridge.close();
    }
  });
});

describe('AV-01 dependencies that accept a connection and never answer', () => {
  it('AV-01 a black-holed Redis: the password step gives up within the store timeout, creates nothing, signs in nobody', async () => {
    const hole = await startBlackHole();
    try {
      const deps = upstashDeps(hole.url('http'), 'x');
      const user = await createUser();
      const attempt = await timed(
        submitPassword(deps, { username: user.username, password: PASSWORD, ...who }),
      );
      expect(attempt.outcome.status === 'rejected' && attempt.outcome.reason).toBeInstanceOf(
        StoreUnavailableError,
      );
      // One retry is allowed (a stale keep-alive socket), so at most two timeouts.
      expect(attempt.ms).toBeLessThan(2 * STORE_TIMEOUT_MS + 1500);
      await expectNoSignIn(user.id);
      expect(
        await db.auditEvent.count({ where: { userId: user.id, type: 'signin.password_ok' } }),
      ).toBe(0);
    } finally {
      await hole.close();
    }
  });

  it('AV-01 PostgreSQL unreachable or hung once the code is right: no session, and the verified ticket cannot be replayed afterwards', async () => {
    const hole = await startBlackHole();
    const hung = new PrismaClient({
      adapter: new PrismaPg({
        connectionString: `${hole.url('postgresql')}/none`,
        connectionTimeoutMillis: 500,
      }),
    });
    try {
      const sender = capturingSender();
      const real = testDeps({ sender });
      const { user, ticketId, code } = await codeSent(real, sender);
      expect(await submitCode(real, { ticketId, code, ...who })).toEqual({
        ok: true,
        next: 'session',
      });

      // The session's one statement is the step's only database work (decision 0028).
      const dead = {
        ...real,
        sessions: {
          start: async () => {
            await hung.session.count();
            return null;
          },
        },
        audit: async () => void (await hung.auditEvent.count()),
      };
      const attempt = await timed(completeSignIn(dead, { ticketId, ...who }));
      expect(attempt.outcome.status).toBe('rejected');
      expect(attempt.ms).toBeLessThan(3000);
      // The verified ticket was taken before the database failed: it cannot be replayed later.
      expect(await completeSignIn(real, { ticketId, ...who })).toBeNull();
      await expectNoSignIn(user.id);
    } finally {
      await hung.$disconnect();
      await hole.close();
    }
  });
});

describe('AV-02 Twilio failing or slow', () => {
  let twilio: FakeTwilio;
  let postmark: FakePostmark;
  beforeAll(async () => {
    [twilio, postmark] = await Promise.all([startFakeTwilio(), startFakePostmark()]);
  });
  afterAll(async () => {
    await Promise.all([twilio?.close(), postmark?.close()]);
  });

  function deps(email: Sender) {
    const phone = createTwilioSender({
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
      apiBaseUrl: twilio.baseUrl,
      from: '+15005550006',
      timeoutMs: 700,
    });
    return testDeps({
      senderFor: (channel) => (channel === 'email' ? email : phone),
      config: { resendCooldownSeconds: 30 },
    });
  }

  const failures = [
    {
      name: 'HTTP 500',
      mode: { status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } },
    },
    {
      name: 'HTTP 503',
      mode: { status: 503, body: { code: 20503, message: 'Service Unavailable', status: 503 } },
    },
    { name: 'a timeout', mode: { delayMs: 2500 } },
  ] as const;

  for (const channel of ['sms', 'voice'] as const) {
    for (const failure of failures) {
      it(`AV-02 ${channel} failing with ${failure.name}: the user is told, no code, cooldown or failed try is charged, email works at once, and only its code signs in`, async () => {
        const email = capturingSender();
        const d = deps(email);
        const user = await createUser({ phone: ownPhone() });
        const started = await submitPassword(d, {
          username: user.username,
          password: PASSWORD,
          ...who,
        });
        if (!started.ok) throw new Error('password step failed');
        const { ticketId } = started;

        twilio.failNext(failure.mode);
        const attempt = await timed(sendCode(d, { ticketId, channel, ...who }));
        expect(attempt.outcome).toEqual({
          status: 'fulfilled',
          value: { ok: false, reason: 'delivery-failed', retryable: true },
        });
        expect(attempt.ms).toBeLessThan(2000);
        expect(await d.store.get(challengeKeys(ticketId).code)).toBeNull();
        expect(await d.store.get(challengeKeys(ticketId).cooldown)).toBeNull();
        expect(await d.store.get(`code-failures:${user.id}`)).toBeNull();
        expect((await viewTicket(d, ticketId))?.ticket.stage).toBe('started');
        expect(await completeSignIn(d, { ticketId, ...who })).toBeNull();
        expect(
          await db.auditEvent.count({ where: { userId: user.id, type: 'code.send_failed' } }),
        ).toBe(1);

        expect((await sendCode(d, { ticketId, channel: 'email', ...who })).ok).toBe(true);
        expect(await submitCode(d, { ticketId, code: email.last().code!, ...who })).toEqual({
          ok: true,
          next: 'session',
        });
        expect(await completeSignIn(d, { ticketId, ...who })).toMatchObject({ userId: user.id });
      });
    }
  }

  it('AV-02 Postmark failing while a trusted browser is announced: the proven sign-in still completes, and the failed notice is recorded', async () => {
    const sms = capturingSender();
    const email = createPostmarkSender({
      serverToken: postmark.token,
      from: 'login@example.test',
      messageStream: 'outbound',
      apiHost: postmark.host,
      timeoutMs: 700,
    });
    const d = testDeps({ senderFor: (channel) => (channel === 'email' ? email : sms) });
    const user = await createUser({ phone: ownPhone() });
    const started = await submitPassword(d, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!started.ok) throw new Error('password step failed');
    await sendCode(d, { ticketId: started.ticketId, channel: 'sms', ...who });
    expect(
      await submitCode(d, {
        ticketId: started.ticketId,
        code: sms.last().code!,
        trust: true,
        ...who,
      }),
    ).toEqual({ ok: true, next: 'device-name' });

    postmark.failNext({ status: 503, body: { ErrorCode: 0, Message: 'Service Unavailable' } });
    expect(
      await nameDevice(d, { ticketId: started.ticketId, name: 'Fault laptop', ...who }),
    ).toMatchObject({ ok: true });
    expect(await completeSignIn(d, { ticketId: started.ticketId, ...who })).toMatchObject({
      userId: user.id,
    });
    expect(
      await db.auditEvent.count({ where: { userId: user.id, type: 'device.notice_failed' } }),
    ).toBe(1);
  });
});
