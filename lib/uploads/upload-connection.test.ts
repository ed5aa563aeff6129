import { afterEach, describe, expect, it, vi } from 'vitest';

// Which pool the upload's raw statements use (upload-connection.ts): the process's own when it has
// one connection (the embedded database, docs/decisions/0031), else a pool of their own. Each case
// loads fresh copies of the modules (and of lib/env) under the setting it tests.
async function poolsWith(poolMax: string | undefined) {
  vi.resetModules();
  vi.stubEnv('DATABASE_POOL_MAX', poolMax);
  const { uploadPool } = await import('./upload-connection');
  const { pool } = await import('@/lib/db-pool');
  return { upload: uploadPool(), process: pool };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the upload statements’ pool', () => {
  it('is the process’s one pool with DATABASE_POOL_MAX=1, so the process keeps one connection', async () => {
    const pools = await poolsWith('1');
    expect(pools.upload).toBe(pools.process);
  });

  it('is a pool of two of its own otherwise', async () => {
    for (const poolMax of [undefined, '10']) {
      const pools = await poolsWith(poolMax);
      expect(pools.upload).not.toBe(pools.process);
      expect(pools.upload.options.max).toBe(2);
    }
  });
});
