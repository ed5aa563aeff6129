import 'server-only';
import { env } from '@/lib/env';
import type { Redis } from '@upstash/redis';
import type { ExpiringStore } from './expiring-store';
import { createMemoryStore } from './memory-store';
import { createUpstashClient } from './upstash-client';
import { createUpstashStore } from './upstash-store';

// Picks the store from env, once per process. It lives on globalThis because `next dev` can
// evaluate this module more than once (bundle layers, hot reload): two memory stores would
// silently split codes and tickets between them.

const STORE = Symbol.for('latchkey.expiringStore');
const CLIENT = Symbol.for('latchkey.upstashClient');
const holder = globalThis as typeof globalThis & {
  [STORE]?: ExpiringStore;
  [CLIENT]?: Redis | null;
};

export function getExpiringStore(): ExpiringStore {
  return (holder[STORE] ??= createConfiguredStore());
}

/**
 * The process's Upstash client when Upstash is configured, else null. The store and the rate
 * limiter share it, so that their commands of one moment go out in one HTTP request.
 */
export function getUpstashClient(): Redis | null {
  if (holder[CLIENT] === undefined)
    holder[CLIENT] =
      env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN
        ? createUpstashClient({
            url: env.UPSTASH_REDIS_REST_URL,
            token: env.UPSTASH_REDIS_REST_TOKEN,
          })
        : null;
  return holder[CLIENT];
}

function createConfiguredStore(): ExpiringStore {
  const redis = getUpstashClient();
  if (redis) return createUpstashStore({ redis, keyPrefix: env.STORE_KEY_PREFIX });
  if (env.MEMORY_STORE) return createMemoryStore();
  throw new Error(
    'No store configured: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, ' +
      'or MEMORY_STORE=1 to keep codes in this one process (see .env.example and README.md).',
  );
}
