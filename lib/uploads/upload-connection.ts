import 'server-only';
import pg from 'pg';
import { pool as sharedPool } from '@/lib/db-pool';
import { env } from '@/lib/env';

// The User Upload moves megabytes: the file's 1 MiB chunks and the staged rows (staged-rows.ts).
// Through Prisma each such parameter is copied several times (base64, JSON and back) and the last
// hundred queries' parameters stay referenced by @prisma/debug's history even with logging off;
// for a 7.5 MB file that grew the process by ~80 MB for the chunks alone (docs/performance.md).
// These few statements therefore go straight through `pg`, the driver under Prisma, on a pool of
// their own; everything else, and every transaction that spans more than one of them, stays on
// Prisma. None of these statements runs while a Prisma transaction is open: embedded PostgreSQL
// (development) serves one transaction at a time and would make it wait forever.

const globalForUploads = globalThis as unknown as { latchkeyUploadPool?: pg.Pool };

/**
 * The pool these statements run on. With one connection per process (DATABASE_POOL_MAX=1, as
 * `npm run dev` and the e2e server run the embedded database) it is the process's own pool, so
 * that the process still has one connection: the embedded database's socket server mixes up the
 * messages of two connections (docs/decisions/0031). Otherwise a pool of two of its own.
 */
export function uploadPool(): pg.Pool {
  if (env.DATABASE_POOL_MAX === 1) return sharedPool;
  if (!globalForUploads.latchkeyUploadPool) {
    const pool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      max: 2,
      connectionTimeoutMillis: 5000,
      // Idle connections neither keep a script or test process alive nor linger on the server.
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
    });
    // An idle connection the server ended (a restart, a dropped test database) is only removed
    // from the pool; unhandled, pg would throw this error out of the process.
    pool.on('error', () => {});
    globalForUploads.latchkeyUploadPool = pool;
  }
  return globalForUploads.latchkeyUploadPool;
}

/** Runs `work` in a transaction on one connection of the pool. */
export async function inUploadTransaction<T>(
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await uploadPool().connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is dropped, not returned to the pool.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
