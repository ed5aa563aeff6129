import { defineConfig } from 'prisma/config';

// The URL is read with a fallback (not `env()`), so `prisma generate` works with no database
// configured (STACK.md gotcha 2). Migrations are applied by scripts/migrate.ts offline.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/latchkey' },
});
