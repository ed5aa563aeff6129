import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { env } from '@/lib/env';
import { pool } from '@/lib/db-pool';

// One client per process. In development Next.js may evaluate this module more than once (bundle
// layers, hot reload), so the client lives on globalThis, which all of them share. It runs on the
// process's one pg pool (lib/db-pool.ts), which the hot path's raw statements use too.
const globalForDb = globalThis as unknown as { latchkeyDb?: PrismaClient };

function createClient() {
  // $disconnect() ends the pool, as it did when the adapter made its own.
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  return new PrismaClient({ adapter });
}

export const db = globalForDb.latchkeyDb ?? createClient();
if (env.NODE_ENV !== 'production') globalForDb.latchkeyDb = db;
