import 'server-only';
import pg from 'pg';
import { env } from '@/lib/env';

// The process's one set of PostgreSQL connections. Prisma's client runs on it (lib/db.ts, through
// PrismaPg), and so do the few statements on the sign-in's hot path that go to `pg` directly
// (docs/decisions/0025-raw-pg-hot-path.md): one pool, not two. On globalThis for lib/db.ts's
// reason: `next dev` may evaluate this module more than once.

const holder = globalThis as unknown as { latchkeyPool?: pg.Pool };

function createPool(): pg.Pool {
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    connectionTimeoutMillis: 5000,
    ...(env.DATABASE_POOL_MAX ? { max: env.DATABASE_POOL_MAX } : {}),
  });
  // An idle connection the server drops emits 'error' on the pool; unheard, it would end the
  // process. The pool replaces the connection by itself.
  pool.on('error', (error) => console.error('idle PostgreSQL connection lost:', error.message));
  return pool;
}

export const pool: pg.Pool = (holder.latchkeyPool ??= createPool());

/**
 * The rows of one parameterised statement. `text` is a constant: every value goes in `values`
 * (`$1`, `$2` …), never into the text. Timestamps are read as `timestamptz` (`col AT TIME ZONE
 * 'UTC'`, the columns are UTC `timestamp(3)`, as Prisma writes them), so `pg` makes Dates that do
 * not depend on the process's time zone.
 */
export async function queryRows<Row extends pg.QueryResultRow>(
  text: string,
  values: unknown[],
): Promise<Row[]> {
  return (await pool.query<Row>(text, values)).rows;
}
