import 'server-only';
import { Ratelimit } from '@upstash/ratelimit';
import { StoreUnavailableError } from '@/lib/store/expiring-store';
import { type UpstashConnection, upstashClient } from '@/lib/store/upstash-client';
import type { PolicyName, RatePolicies } from './policies';
import { type LimitDecision, type RateLimiter, subjectKey, windowAt } from './rate-limiter';

// The production limiter: @upstash/ratelimit's fixed windows, one Ratelimit per policy, on the
// same Upstash database as the store, and in the app on the store's client (lib/store/store.ts),
// so that the limiter's and the store's commands of one moment share one HTTP request.

export function createUpstashRateLimiter(
  options: UpstashConnection & {
    keyPrefix: string;
    policies: RatePolicies;
    /** Separates independent sets of counters (tests); default none. */
    namespace?: string;
  },
): RateLimiter {
  const { policies } = options;
  const redis = upstashClient(options);
  const prefixOf = (policy: PolicyName) =>
    `${options.keyPrefix}rl:${options.namespace ?? ''}${policy}`;
  const limiters = new Map<PolicyName, Ratelimit>();

  function limiterFor(policy: PolicyName): Ratelimit {
    let limiter = limiters.get(policy);
    if (!limiter) {
      const { limit, windowMs } = policies[policy];
      limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.fixedWindow(limit, `${windowMs} ms`),
        prefix: prefixOf(policy),
        // Its default lets a request through when Redis is slow (5 s): we fail closed instead
        // (AV-01); the client's own timeout turns a dead Redis into an error.
        timeout: 0,
        // The in-process block list would outlive a reset (an admin's unlock, a sign-in).
        ephemeralCache: false,
        analytics: false,
        enableProtection: false,
      });
      limiters.set(policy, limiter);
    }
    return limiter;
  }

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new StoreUnavailableError(`Upstash rate limit ${operation} failed`, {
        cause: redact(error),
      });
    }
  }

  return {
    policies,

    // The same layout as @upstash/ratelimit's fixedWindow keys (`<prefix>:<id>:<bucket>`, see reset).
    counterKey: (policy, subject) =>
      `rl:${options.namespace ?? ''}${policy}:${subjectKey(subject)}`,

    async hit(policy, subject): Promise<LimitDecision> {
      const result = await call('hit', () => limiterFor(policy).limit(subjectKey(subject)));
      return { allowed: result.success, remaining: result.remaining, resetAt: result.reset };
    },

    async peek(policy, subject): Promise<LimitDecision> {
      const result = await call('peek', () => limiterFor(policy).getRemaining(subjectKey(subject)));
      return { allowed: result.remaining > 0, remaining: result.remaining, resetAt: result.reset };
    },

    async reset(policy, subject) {
      // resetUsedTokens SCANs the whole keyspace inside one script, blocking a large Redis; the
      // key of the current window is known (`<prefix>:<id>:<bucket>`, fixedWindow in 2.2.0; the
      // contract suite notices if that changes), so delete just it.
      const { bucket } = windowAt(policies[policy].windowMs, Date.now());
      await call('reset', () => redis.del(`${prefixOf(policy)}:${subjectKey(subject)}:${bucket}`));
    },
  };
}

/** The client's HTTP errors quote the whole command; keep only Redis's words. */
function redact(error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.includes(', command was: ')) return error;
  const trimmed = new Error(error.message.slice(0, error.message.indexOf(', command was: ')));
  trimmed.name = error.name;
  return trimmed;
}
