import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { env } from '@/lib/env';

// One client per process. In development Next.js may evaluate this module more than once (bundle
// layers, hot reload), so the client lives on globalThis, which all of them share.
const globalForDb = globalThis as unknown as { latchkeyDb?: PrismaClient };

function createClient() {
  const adapter = new PrismaPg({
    connectionString: env.DATABASE_URL,
    connectionTimeoutMillis: 5000,
  });
  return new PrismaClient({ adapter });
}

export const db = globalForDb.latchkeyDb ?? createClient();
if (env.NODE_ENV !== 'production') globalForDb.latchkeyDb = db;
