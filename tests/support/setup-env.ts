import { inject } from 'vitest';

// Runs in each test worker before any test file is imported, so lib/env.ts sees these values.
process.env.DATABASE_URL = inject('databaseUrl');
process.env.AUTH_SECRET ??= 'test-secret-that-is-at-least-thirty-two-characters';
process.env.STORE_KEY_PREFIX = inject('storeKeyPrefix');
process.env.OUTBOX_ENABLED ??= '1';
process.env.MEMORY_STORE ??= '1';
const upstash = inject('upstash');
if (upstash) {
  process.env.UPSTASH_REDIS_REST_URL = upstash.url;
  process.env.UPSTASH_REDIS_REST_TOKEN = upstash.token;
}
