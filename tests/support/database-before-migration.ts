import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, MIGRATIONS_DIR } from '../../scripts/db/apply-migrations';
import { startTestDatabase } from './test-database';

/**
 * A database of its own holding the schema as it was just before `migration`, to fill with the
 * rows a running deployment holds and then apply the rest of the migrations to. `stop` ends it.
 */
export async function databaseBeforeMigration(migration: string) {
  if (!fs.existsSync(path.join(MIGRATIONS_DIR, migration)))
    throw new Error(`no migration named ${migration}`);
  const database = await startTestDatabase({ migrate: false });
  const earlier = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-migration-'));
  const client = new pg.Client(database.url);
  const stop = async () => {
    try {
      await client.end();
    } finally {
      await database.stop();
      fs.rmSync(earlier, { recursive: true, force: true });
    }
  };
  try {
    fs.cpSync(MIGRATIONS_DIR, earlier, { recursive: true });
    for (const name of fs.readdirSync(earlier).filter((name) => name >= migration))
      fs.rmSync(path.join(earlier, name), { recursive: true });
    await applyMigrations(database.url, { migrationsDir: earlier });
    await client.connect();
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return {
    client,
    /** Applies every migration, the one under test included. */
    migrate: () => applyMigrations(database.url),
    stop,
  };
}
