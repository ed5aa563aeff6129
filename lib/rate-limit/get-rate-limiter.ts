import 'server-only';
import { env } from '@/lib/env';
import { getExpiringStore, getUpstashClient } from '@/lib/store/store';
import { ratePolicies } from './policies';
import type { RateLimiter } from './rate-limiter';
import { createStoreRateLimiter } from './store-rate-limiter';
import { createUpstashRateLimiter } from './upstash-rate-limiter';

// Picks the limiter with the store: @upstash/ratelimit beside Upstash (on the store's client),
// fixed windows over the in-process store otherwise. On globalThis for the store's reason: `next dev` may evaluate this
// module more than once (bundle layers, hot reload), and two limiters would each allow the full
// count.

const LIMITER = Symbol.for('latchkey.rateLimiter');
const holder = globalThis as typeof globalThis & { [LIMITER]?: RateLimiter };

export function getRateLimiter(): RateLimiter {
  return (holder[LIMITER] ??= createConfiguredLimiter());
}

function createConfiguredLimiter(): RateLimiter {
  const policies = ratePolicies({ smsDailyBudget: env.SMS_DAILY_BUDGET });
  // On the store's client: one HTTP request for the limiter's and the store's commands of a moment.
  const redis = getUpstashClient();
  if (redis) return createUpstashRateLimiter({ redis, keyPrefix: env.STORE_KEY_PREFIX, policies });
  return createStoreRateLimiter({ store: getExpiringStore(), policies });
}
