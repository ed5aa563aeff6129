import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { StoreUnavailableError } from '@/lib/store/expiring-store';
import { createMemoryStore } from '@/lib/store/memory-store';
import { createUpstashStore } from '@/lib/store/upstash-store';
import { ratePolicies, type RatePolicies } from './policies';
import { type RateLimiter, retryAfterSeconds, windowAt } from './rate-limiter';
import { createStoreRateLimiter } from './store-rate-limiter';
import { createUpstashRateLimiter } from './upstash-rate-limiter';

// One contract, every limiter: the fixed windows over the store port (in-process store, and the
// Upstash store) and @upstash/ratelimit against the real Redis through the bridge. Real time
// throughout, because @upstash/ratelimit reads the clock itself.

const upstash = inject('upstash');
const prefix = inject('storeKeyPrefix');
const HOUR = 3_600_000;
const SHORT_WINDOW_MS = 1_000;

// Three policy slots with test numbers; what they are called does not matter here.
const policies: RatePolicies = {
  ...ratePolicies({ smsDailyBudget: 1 }),
  'password-ip': { limit: 3, windowMs: HOUR, counts: 'test: three per hour' },
  'code-send-ip': { limit: 2, windowMs: SHORT_WINDOW_MS, counts: 'test: two per second' },
  'code-send-prefix': { limit: 20, windowMs: HOUR, counts: 'test: twenty per hour' },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for the start of a fresh short window, so a test's hits all fall in one. */
const freshShortWindow = () =>
  sleep(windowAt(SHORT_WINDOW_MS, Date.now()).resetAt - Date.now() + 30);

function contract(name: string, makeLimiter: () => RateLimiter) {
  describe(`RateLimiter contract: ${name}`, () => {
    it('BF-05 allows `limit` hits in a window, then refuses and says when the window turns over', async () => {
      const limiter = makeLimiter();
      const decisions = [];
      for (let i = 0; i < 4; i++)
        decisions.push(await limiter.hit('password-ip', 'ip:203.0.113.7'));
      expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ]);
      const { resetAt } = windowAt(HOUR, Date.now());
      expect(decisions.at(-1)!.resetAt).toBe(resetAt);
      expect(retryAfterSeconds(decisions.at(-1)!.resetAt)).toBeLessThanOrEqual(3_600);
    });

    it('peek counts nothing and tells whether the next hit would pass', async () => {
      const limiter = makeLimiter();
      expect(await limiter.peek('password-ip', 'ip:a')).toMatchObject({
        allowed: true,
        remaining: 3,
      });
      expect(await limiter.peek('password-ip', 'ip:a')).toMatchObject({
        allowed: true,
        remaining: 3,
      });
      for (let i = 0; i < 3; i++) await limiter.hit('password-ip', 'ip:a');
      const after = await limiter.peek('password-ip', 'ip:a');
      expect(after).toMatchObject({ allowed: false, remaining: 0 });
      expect(after.resetAt).toBe(windowAt(HOUR, Date.now()).resetAt);
    });

    it('counts each subject and each policy apart, whatever characters the subject holds', async () => {
      const limiter = makeLimiter();
      for (let i = 0; i < 3; i++) await limiter.hit('password-ip', 'a*');
      expect((await limiter.hit('password-ip', 'a*')).allowed).toBe(false);
      for (const other of ['a', 'a:*', '[a]', 'A*'])
        expect((await limiter.hit('password-ip', other)).allowed).toBe(true);
      expect((await limiter.hit('code-send-prefix', 'a*')).allowed).toBe(true);
    });

    it('a new window starts from zero', async () => {
      const limiter = makeLimiter();
      await freshShortWindow();
      const first = [
        await limiter.hit('code-send-ip', 's'),
        await limiter.hit('code-send-ip', 's'),
        await limiter.hit('code-send-ip', 's'),
      ];
      expect(first.map((d) => d.allowed)).toEqual([true, true, false]);
      await sleep(first[2]!.resetAt - Date.now() + 30);
      expect(await limiter.hit('code-send-ip', 's')).toMatchObject({ allowed: true, remaining: 1 });
    });

    it('reset forgets one subject in the current window; others keep their counts', async () => {
      const limiter = makeLimiter();
      for (let i = 0; i < 3; i++) {
        await limiter.hit('password-ip', 'forgiven');
        await limiter.hit('password-ip', 'kept');
      }
      await limiter.reset('password-ip', 'forgiven');
      expect(await limiter.peek('password-ip', 'forgiven')).toMatchObject({
        allowed: true,
        remaining: 3,
      });
      expect(await limiter.peek('password-ip', 'kept')).toMatchObject({ allowed: false });
      await limiter.reset('password-ip', 'never-counted');
    });

    it('BF-02 of 50 concurrent hits exactly `limit` are allowed', async () => {
      const limiter = makeLimiter();
      const decisions = await Promise.all(
        Array.from({ length: 50 }, () => limiter.hit('code-send-prefix', '141555')),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
      expect((await limiter.peek('code-send-prefix', '141555')).allowed).toBe(false);
    });
  });
}

contract('fixed windows over the in-process store', () =>
  createStoreRateLimiter({ store: createMemoryStore(), policies, namespace: `${randomUUID()}:` }),
);

describe.skipIf(!upstash)('limiters on Redis through the Upstash bridge', () => {
  // A namespace per test: parallel files and reruns on a shared Redis never see each other's keys.
  contract('fixed windows over the Upstash store', () =>
    createStoreRateLimiter({
      store: createUpstashStore({
        url: upstash!.url,
        token: upstash!.token,
        keyPrefix: `${prefix}rl-contract:`,
      }),
      policies,
      namespace: `${randomUUID()}:`,
    }),
  );
  contract('@upstash/ratelimit', () =>
    createUpstashRateLimiter({
      url: upstash!.url,
      token: upstash!.token,
      keyPrefix: `${prefix}rl-contract:`,
      policies,
      namespace: `${randomUUID()}:`,
    }),
  );
});

describe('@upstash/ratelimit limiter when Redis is gone', () => {
  it('AV-01 fails closed: hit, peek and reset throw StoreUnavailableError within seconds, nothing is let through', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const limiter = createUpstashRateLimiter({
      url: `http://127.0.0.1:${closedPort}`,
      token: 't',
      keyPrefix: 'gone:',
      policies,
      timeoutMs: 500,
    });
    const started = Date.now();
    const outcomes = await Promise.allSettled([
      limiter.hit('password-ip', 'x'),
      limiter.peek('password-ip', 'x'),
      limiter.reset('password-ip', 'x'),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected')
        expect(outcome.reason).toBeInstanceOf(StoreUnavailableError);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
