import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { db } from '@/lib/db';
import { completeSignIn } from '@/lib/auth/sign-in';
import { readTicket } from '@/lib/auth/login-ticket';
import { newChallengeId } from '@/lib/challenges/challenge';
import { trustDevice } from '@/lib/devices/trusted-devices';
import { PASSWORD_WORKER_NICE } from '@/lib/web/password-step-worker-nice';
import {
  FAILED_STARTS_BEFORE_INLINE,
  passwordStepInWorker,
  signInGateSlots,
  startPasswordWorkers,
} from '@/lib/web/password-step';
import { createUser, PASSWORD, testDeps } from '../support/sign-in-fixtures';

// The password step in worker threads (decision 0032), as `next start` runs it: the worker's
// program from source (tsx, tests/support/password-worker-from-source.mjs), its own wiring on the
// same database and Upstash, the result and handoff back on this thread. Needs a shared store:
// with the in-process one a worker would keep its tickets to itself, which is why the product
// runs no worker then (passwordStepInWorker).

const FROM_SOURCE = {
  program: new URL('../support/password-worker-from-source.mjs', import.meta.url),
  execArgv: [],
};
const who = { ip: '203.0.113.93', userAgent: 'vitest password worker' };

/** The nice value of each thread of this process (Linux: /proc/self/task/<id>/stat, field 19). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((id) => {
    const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16]);
  });
}

describe('where the password step runs (SIGN_IN_THREAD)', () => {
  const server = {
    SIGN_IN_THREAD: 'auto',
    NODE_ENV: 'production',
    UPSTASH_REDIS_REST_URL: 'https://eu1-example.upstash.io',
    DATABASE_POOL_MAX: undefined,
    VERCEL: undefined,
  } as const;

  it('auto: in workers under `next start` with Upstash; inline in development, without Upstash, on one database connection and on Vercel', () => {
    expect(passwordStepInWorker(server)).toBe(true);
    expect(passwordStepInWorker({ ...server, DATABASE_POOL_MAX: 10 })).toBe(true);
    expect(passwordStepInWorker({ ...server, NODE_ENV: 'development' })).toBe(false);
    expect(passwordStepInWorker({ ...server, NODE_ENV: 'test' })).toBe(false);
    expect(passwordStepInWorker({ ...server, UPSTASH_REDIS_REST_URL: undefined })).toBe(false);
    expect(passwordStepInWorker({ ...server, DATABASE_POOL_MAX: 1 })).toBe(false);
    expect(passwordStepInWorker({ ...server, VERCEL: '1' })).toBe(false);
  });

  it('worker and inline are what they say, wherever the server runs', () => {
    expect(passwordStepInWorker({ ...server, SIGN_IN_THREAD: 'worker', VERCEL: '1' })).toBe(true);
    expect(passwordStepInWorker({ ...server, SIGN_IN_THREAD: 'inline' })).toBe(false);
  });

  it('the sign-in gate: SIGN_IN_CONCURRENCY when set; two slots per worker with the steps in workers; adapting (undefined) inline', () => {
    const unset = { ...server, SIGN_IN_CONCURRENCY: undefined };
    expect(signInGateSlots(unset, 2)).toBe(4);
    expect(signInGateSlots(unset, 4)).toBe(8);
    expect(signInGateSlots({ ...unset, SIGN_IN_CONCURRENCY: 3 }, 2)).toBe(3);
    expect(signInGateSlots({ ...unset, SIGN_IN_CONCURRENCY: 1, SIGN_IN_THREAD: 'inline' }, 2)).toBe(
      1,
    );
    expect(signInGateSlots({ ...unset, SIGN_IN_THREAD: 'inline' }, 2)).toBeUndefined();
    expect(signInGateSlots({ ...unset, NODE_ENV: 'development' }, 2)).toBeUndefined();
    expect(signInGateSlots({ ...unset, UPSTASH_REDIS_REST_URL: undefined }, 2)).toBeUndefined();
  });
});

describe('password workers that do not answer', () => {
  const program = (name: string) => ({
    program: new URL(`../support/${name}`, import.meta.url),
    execArgv: [],
  });

  it('a step its worker does not answer in time fails, and the stuck worker is replaced', async () => {
    const stuck = startPasswordWorkers({
      count: 1,
      fromSource: program('password-worker-silent.mjs'),
      deadlineMs: 300,
    });
    try {
      const input = { username: 'anyone', password: 'x', ...who };
      await expect(stuck.run(input)).rejects.toThrow(
        /failed in its worker: no answer within 0.3 s/,
      );
      await expect(stuck.run(input)).rejects.toThrow(/no answer within/);
    } finally {
      await stuck.close();
    }
  });

  it('SE-03 a proof that comes with a step still needing a code is not handed over: no session', async () => {
    const forged = startPasswordWorkers({
      count: 1,
      fromSource: program('password-worker-forged.mjs'),
    });
    try {
      const user = await createUser();
      const ticketId = newChallengeId();
      const result = await forged.run({ username: ticketId, password: user.id, ...who });
      expect(result).toEqual({ ok: true, ticketId, next: 'method' });
      expect(await completeSignIn(testDeps(), { ticketId, ...who })).toBeNull();
      expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    } finally {
      await forged.close();
    }
  });

  it(`after ${FAILED_STARTS_BEFORE_INLINE} workers in a row fail as they start, steps run on the request thread`, async () => {
    const broken = startPasswordWorkers({
      count: 2,
      fromSource: program('password-worker-broken.mjs'),
    });
    try {
      const user = await createUser({ twoFactor: false });
      const input = { username: user.username, password: PASSWORD, ...who };
      for (let i = 0; i < FAILED_STARTS_BEFORE_INLINE; i++)
        await expect(broken.run(input)).rejects.toThrow(/worker error: broken at load/);
      expect(await broken.run(input)).toMatchObject({ ok: true, next: 'session' });
    } finally {
      await broken.close();
    }
  });
});

describe.skipIf(!process.env.UPSTASH_REDIS_REST_URL)(
  'the password step in worker threads (needs REDIS_URL: the workers and this thread share Upstash)',
  () => {
    const workers = startPasswordWorkers({ count: 2, fromSource: FROM_SOURCE });
    afterAll(() => workers.close());

    it('P5 a trusted browser signs in through a worker: its proof comes back, and the session starts on this thread', async () => {
      const user = await createUser();
      const device = await trustDevice({
        userId: user.id,
        name: 'Worker laptop',
        lifetimeDays: 30,
        now: new Date(),
        ...who,
      });
      const result = await workers.run({
        username: user.username,
        password: PASSWORD,
        deviceToken: device.token,
        ...who,
      });
      expect(result).toMatchObject({ ok: true, next: 'session' });
      if (!result.ok || result.next !== 'session') throw new Error('unreachable');
      expect(result.device?.token).toBeTruthy();
      expect(result.device?.token).not.toBe(device.token);
      expect(result.device?.expiresAt).toBeInstanceOf(Date);

      const done = await completeSignIn(testDeps(), { ticketId: result.ticketId, ...who });
      expect(done).toMatchObject({ userId: user.id, method: 'trusted-device' });
      // Taken once: a second completion of the same proof starts nothing (OTP-03).
      expect(await completeSignIn(testDeps(), { ticketId: result.ticketId, ...who })).toBeNull();
      const events = await db.auditEvent.findMany({
        where: { userId: user.id },
        select: { type: true },
        orderBy: { createdAt: 'asc' },
      });
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['signin.password_ok', 'device.used', 'signin.succeeded']),
      );
      expect(await db.session.count({ where: { userId: user.id } })).toBe(1);
    });

    it('a step that needs a code leaves its ticket in the shared store, where this thread reads it', async () => {
      const user = await createUser();
      const result = await workers.run({ username: user.username, password: PASSWORD, ...who });
      expect(result).toMatchObject({ ok: true, next: 'method' });
      if (!result.ok) throw new Error('unreachable');
      const deps = testDeps();
      expect(await readTicket(deps.store, result.ticketId, deps.now())).toMatchObject({
        userId: user.id,
      });
      // The password alone proved nothing: no handoff was made here, so no session (SE-03).
      expect(await completeSignIn(deps, { ticketId: result.ticketId, ...who })).toBeNull();
    });

    it('a wrong password gets the one refusal, audited by the worker', async () => {
      const user = await createUser();
      const result = await workers.run({ username: user.username, password: 'wrong', ...who });
      expect(result).toEqual({ ok: false, reason: 'invalid' });
      const failed = await db.auditEvent.findFirst({
        where: { userId: user.id, type: 'signin.password_failed' },
      });
      expect(failed?.detail).toEqual({ reason: 'wrong-password' });
    });

    it('RC-05 BF-01 wrong passwords that lock an account in the workers email its owner once, after the step that locked it', async () => {
      const user = await createUser();
      const wrong = { username: user.username, password: 'wrong', ...who };
      for (let i = 0; i < 5; i++)
        expect(await workers.run(wrong)).toEqual({ ok: false, reason: 'invalid' });
      // Locked: the right password gets the same refusal (BF-01).
      expect(await workers.run({ ...wrong, password: PASSWORD })).toEqual({
        ok: false,
        reason: 'invalid',
      });
      expect(await db.auditEvent.count({ where: { userId: user.id, type: 'signin.locked' } })).toBe(
        1,
      );
      // The email is work the step deferred: the worker sends it after its reply.
      await vi.waitFor(
        async () =>
          expect(
            await db.outboxMessage.count({ where: { to: user.email, channel: 'email' } }),
          ).toBe(1),
        { timeout: 10_000, interval: 100 },
      );
    });

    it('P5 the workers run below the request thread: their threads have the lower priority', async () => {
      const before = threadNiceValues().filter((n) => n === PASSWORD_WORKER_NICE).length;
      const probe = startPasswordWorkers({ count: 2, fromSource: FROM_SOURCE });
      try {
        // Two steps in hand at once: the second finds the first worker busy and starts another.
        await Promise.all(
          [1, 2].map(() => probe.run({ username: 'nobody-here', password: 'x', ...who })),
        );
        expect(threadNiceValues().filter((n) => n === PASSWORD_WORKER_NICE).length).toBe(
          before + 2,
        );
        expect(PASSWORD_WORKER_NICE).toBeGreaterThan(0);
      } finally {
        await probe.close();
      }
    });

    it('a worker that stops fails the steps it had, and the next step gets a new worker', async () => {
      const lone = startPasswordWorkers({ count: 1, fromSource: FROM_SOURCE });
      try {
        const user = await createUser({ twoFactor: false });
        const input = { username: user.username, password: PASSWORD, ...who };
        expect(await lone.run(input)).toMatchObject({ ok: true, next: 'session' });
        const inHand = lone.run(input);
        await lone.close();
        await expect(inHand).rejects.toThrow(/failed in its worker: worker exited/);
        expect(await lone.run(input)).toMatchObject({ ok: true, next: 'session' });
      } finally {
        await lone.close();
      }
    });
  },
);
