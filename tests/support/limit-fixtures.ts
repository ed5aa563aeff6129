import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { SignInDeps } from '@/lib/auth/sign-in-types';
import type { Channel, Sender } from '@/lib/delivery/sender';
import { ratePolicies, type RatePolicies } from '@/lib/rate-limit/policies';
import type { RateLimiter } from '@/lib/rate-limit/rate-limiter';
import { createStoreRateLimiter } from '@/lib/rate-limit/store-rate-limiter';
import { createUpstashRateLimiter } from '@/lib/rate-limit/upstash-rate-limiter';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import { testDeps } from './sign-in-fixtures';

// Sign-in deps whose limits start from zero: the production limiter of this run (@upstash/
// ratelimit when Redis is there, fixed windows over the store otherwise) with the policy table,
// small numbers where a test says so, in a namespace of its own. Counters shared by the whole
// run (the global ones) would otherwise carry over between tests and files.

const upstash = inject('upstash');
const keyPrefix = inject('storeKeyPrefix');

export function limiterFor(
  policies: Partial<RatePolicies> = {},
  store?: ExpiringStore,
): RateLimiter {
  const table = { ...ratePolicies({ smsDailyBudget: 1000 }), ...policies };
  const namespace = `${randomUUID()}:`;
  if (upstash && !store)
    return createUpstashRateLimiter({
      url: upstash.url,
      token: upstash.token,
      keyPrefix,
      policies: table,
      namespace,
    });
  return createStoreRateLimiter({ store: store ?? testDeps().store, policies: table, namespace });
}

export function limitedDeps(
  options: {
    policies?: Partial<RatePolicies>;
    /** A store of the test's own (e.g. on a manual clock); the limiter then counts in it too. */
    store?: ExpiringStore;
    sender?: Sender;
    senderFor?: (channel: Channel) => Sender | null;
    now?: () => number;
    config?: Partial<SignInDeps['config']>;
  } = {},
) {
  const base = testDeps(options);
  const store = options.store ?? base.store;
  return {
    ...base,
    store,
    limits: limiterFor(options.policies, options.store),
  } satisfies SignInDeps;
}

/**
 * An address no other test uses (IPv6 documentation range, 2001:db8::/32), so per-address
 * counters start at zero. Limits count IPv6 per /64, so the /64 is random too.
 */
export function freshIp(): string {
  const hex = randomBytes(12).toString('hex').match(/.{4}/g)!;
  return `2001:db8:${hex.join(':')}`;
}

/** A policy with a test-sized limit and a long window (no turnover during the test). */
export const perHour = (limit: number) => ({ limit, windowMs: 3_600_000, counts: 'test' });
