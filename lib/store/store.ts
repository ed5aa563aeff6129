import 'server-only';
import { env } from '@/lib/env';
import type { ExpiringStore } from './expiring-store';
import { createMemoryStore } from './memory-store';
import { createUpstashStore } from './upstash-store';

// Picks the store from env, once per process. It lives on globalThis because `next dev` can
// evaluate this module more than once (bundle layers, hot reload): two memory stores would
// silently split codes and tickets between them.

const STORE = Symbol.for('latchkey.expiringStore');
const holder = globalThis as typeof globalThis & { [STORE]?: ExpiringStore };

export function getExpiringStore(): ExpiringStore {
  return (holder[STORE] ??= createConfiguredStore());
}

function createConfiguredStore(): ExpiringStore {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    return createUpstashStore({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      keyPrefix: env.STORE_KEY_PREFIX,
    });
  }
  if (env.MEMORY_STORE) return createMemoryStore();
  throw new Error(
    'No store configured: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, ' +
      'or MEMORY_STORE=1 to keep codes in this one process (see .env.example and README.md).',
  );
}
