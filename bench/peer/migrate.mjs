import { getMigrations } from 'better-auth/db/migration';
import { auth } from './lib/auth.js';

// Creates Better Auth's tables (user, session, account, verification, twoFactor) in DATABASE_URL
// with Better Auth's own migrator, the programmatic form of `npx @better-auth/cli migrate`.
const { runMigrations, toBeCreated, toBeAdded } = await getMigrations(auth.options);
await runMigrations();
console.log(
  `peer schema: created ${toBeCreated.map((t) => t.table).join(', ') || 'nothing'}${toBeAdded.length ? `; columns added to ${toBeAdded.map((t) => t.table).join(', ')}` : ''}`,
);
process.exit(0);
