import { applyMigrations } from '../../scripts/db/apply-migrations';
import { startEmbeddedPostgres } from '../../scripts/db/embedded-postgres';
import {
  canCreateScratchDatabases,
  createScratchDatabase,
} from '../../scripts/db/scratch-database';

// A migrated, empty database for one test run: a fresh database on the server DATABASE_URL
// names (CI has one), otherwise embedded PGlite in memory. Either way the tests reach it through
// `pg` over TCP, as the app does. Inside a test worker DATABASE_URL is the run's shared database;
// its server hosts the fresh one, unless it is PGlite, which cannot host a second.

export type TestDatabase = { url: string; stop(): Promise<void> };

/** `migrate: false` leaves it empty, for tests of the migrations themselves. */
export async function startTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  const onServer =
    serverUrl !== undefined && serverUrl !== '' && (await canCreateScratchDatabases(serverUrl));
  const database = onServer
    ? await createScratchDatabase(serverUrl!, 'latchkey_test').then((db) => ({
        url: db.url,
        stop: db.drop,
      }))
    : await startEmbeddedPostgres({ port: 0 });
  try {
    if (options.migrate !== false) await applyMigrations(database.url);
  } catch (error) {
    await database.stop();
    throw error;
  }
  return { url: database.url, stop: () => database.stop() };
}
