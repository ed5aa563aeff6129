import type { TestProject } from 'vitest/node';
import { startTestDatabase } from './test-database';
import { startUpstashBridge } from './upstash-bridge';

// One database and one key prefix for the whole run: a fresh database on the machine's
// PostgreSQL when DATABASE_URL names one, otherwise embedded PGlite; Redis through the Upstash
// bridge when REDIS_URL names a server, otherwise the in-process store only.

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    upstash: { url: string; token: string } | null;
    storeKeyPrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const database = await startTestDatabase();
  const bridge = process.env.REDIS_URL
    ? await startUpstashBridge({ redisUrl: process.env.REDIS_URL })
    : null;
  project.provide('databaseUrl', database.url);
  project.provide('upstash', bridge ? { url: bridge.url, token: bridge.token } : null);
  project.provide('storeKeyPrefix', `latchkey-test:${process.pid}-${Date.now()}:`);
  return async () => {
    await bridge?.close();
    await database.stop();
    keepOnlyVitestsExitCode();
  };
}

/**
 * Embedded PGlite runs in this process, and its Emscripten runtime writes `process.exitCode` when
 * its backend exits (100, seen during a run, after some connections end). Vitest sets the code
 * only to 1 (a failed run) and leaves it unset otherwise: anything else is PGlite's, and would
 * fail a green run, or pass a red one if it were 0 (scripts/db/embedded-postgres.ts guards its
 * start and stop the same way).
 */
export function keepOnlyVitestsExitCode(): void {
  if (process.exitCode !== 1) process.exitCode = undefined;
}
