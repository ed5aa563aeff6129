import nextEnv from '@next/env';
import { applyMigrations } from './db/apply-migrations';

// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, recording them as
// `prisma migrate deploy` would. Reads .env files the way `next dev` does, so both agree on
// which database is meant.

nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== 'production');
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    'DATABASE_URL is not set. Point it at a PostgreSQL database, or run `npm run dev`, which starts an embedded one and migrates it.',
  );
  process.exit(1);
}

try {
  await applyMigrations(databaseUrl, { log: (line) => console.log(line) });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
