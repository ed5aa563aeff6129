import type { ExpiringStore } from '@/lib/store/expiring-store';
import type { PolicyName, RatePolicies } from './policies';
import { type LimitDecision, type RateLimiter, subjectKey, windowAt } from './rate-limiter';

// Fixed windows over the store port's atomic increment: the limiter for the in-process store, so
// `npm run dev` needs no Redis. It counts exactly as @upstash/ratelimit's fixedWindow does (one
// INCR per hit on a key per window, refused hits included), so both pass one contract suite.

export function createStoreRateLimiter(options: {
  store: ExpiringStore;
  policies: RatePolicies;
  /** Separates independent sets of counters (tests); default none. */
  namespace?: string;
  now?: () => number;
}): RateLimiter {
  const { store, policies } = options;
  const now = options.now ?? Date.now;
  const counterKey = (policy: PolicyName, subject: string) =>
    `rl:${options.namespace ?? ''}${policy}:${subjectKey(subject)}`;
  const key = (policy: PolicyName, subject: string, bucket: number) =>
    `${counterKey(policy, subject)}:${bucket}`;

  return {
    policies,
    counterKey,

    async hit(policy, subject): Promise<LimitDecision> {
      const { limit, windowMs } = policies[policy];
      const { bucket, resetAt } = windowAt(windowMs, now());
      const count = await store.increment(key(policy, subject, bucket), windowMs);
      return { allowed: count <= limit, remaining: Math.max(0, limit - count), resetAt };
    },

    async peek(policy, subject): Promise<LimitDecision> {
      const { limit, windowMs } = policies[policy];
      const { bucket, resetAt } = windowAt(windowMs, now());
      const count = (await store.get<number>(key(policy, subject, bucket))) ?? 0;
      const remaining = Math.max(0, limit - count);
      return { allowed: remaining > 0, remaining, resetAt };
    },

    async reset(policy, subject) {
      const { bucket } = windowAt(policies[policy].windowMs, now());
      await store.delete(key(policy, subject, bucket));
    },
  };
}
