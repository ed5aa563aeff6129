import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

// Applies prisma/migrations offline, without Prisma's native schema engine (a binary that cannot
// be downloaded on the machines this project is built on, so `prisma migrate` fails there),
// and records them in `_prisma_migrations` the way `prisma migrate deploy` does, so that a
// database migrated here and one migrated by Prisma on Vercel agree on what has been applied.

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');

// The key Prisma Migrate locks on: taking the same one keeps this applier and a concurrent
// `prisma migrate deploy` from interleaving.
const PRISMA_MIGRATE_LOCK_KEY = 72707369;
const LOCK_WAIT_MS = 60_000;

// Prisma's schema engine creates the table with exactly this DDL (sql-schema-connector,
// postgres flavour); tests/integration/migrations.test.ts compares the two.
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export type Migration = { name: string; script: string };

export type ApplyMigrationsOptions = {
  log?: (line: string) => void;
  /** Defaults to prisma/migrations; tests point it elsewhere. */
  migrationsDir?: string;
};

/** Reads `<dir>/*\/migration.sql` in the order Prisma applies them (directory names compared). */
export async function listMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await fs
    .readdir(dir, { withFileTypes: true })
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, 'migration.sql');
      const script = await fs.readFile(file, 'utf8').catch((error: unknown) => {
        throw new Error(`Migration ${name} has no readable migration.sql (${file})`, {
          cause: error,
        });
      });
      return { name, script };
    }),
  );
}

/** SHA-256 of the script as hex, the checksum Prisma stores. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

// Prisma accepts a checksum computed with either line ending, so a checkout with CRLF (git on
// Windows) does not read as an edited migration.
function matchesChecksum(script: string, checksum: string): boolean {
  const lf = script.replace(/\r\n/g, '\n');
  return [script, lf, lf.replace(/\n/g, '\r\n')].some(
    (variant) => migrationChecksum(variant) === checksum,
  );
}

type MigrationRow = {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
};

export async function applyMigrations(
  databaseUrl: string,
  options: ApplyMigrationsOptions = {},
): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const migrations = await listMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await lockMigrations(client, log);
    try {
      await client.query(MIGRATIONS_TABLE_DDL);
      const { rows } = await client.query<MigrationRow>(
        'SELECT id, checksum, migration_name, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at',
      );
      const pending = checkHistory(migrations, rows, log);
      const applied: string[] = [];
      for (const migration of pending) {
        if (await applyOne(client, migration)) {
          log(`Applied migration ${migration.name}`);
          applied.push(migration.name);
        }
      }
      log(
        applied.length
          ? `Applied ${applied.length} migration(s).`
          : `Database is up to date (${migrations.length} migration(s)).`,
      );
      return { applied };
    } finally {
      // Closing the session frees the lock too; an error here must not hide the one being thrown.
      await client
        .query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY])
        .catch(() => {});
    }
  } finally {
    await client.end();
  }
}

/** Returns the migrations still to apply; throws when the recorded history forbids going on. */
function checkHistory(
  migrations: Migration[],
  rows: MigrationRow[],
  log: (line: string) => void,
): Migration[] {
  const live = rows.filter((row) => row.rolled_back_at === null);
  const failed = live.filter((row) => row.finished_at === null);
  if (failed.length) {
    const names = failed.map(
      (row) => `${row.migration_name}${row.logs ? `: ${row.logs.split('\n')[0]}` : ''}`,
    );
    throw new Error(
      `Migration(s) recorded as failed in _prisma_migrations: ${names.join('; ')}. ` +
        'Fix the database, then mark it with `prisma migrate resolve --applied|--rolled-back <name>` (Prisma error P3009).',
    );
  }
  const byName = new Map(migrations.map((m) => [m.name, m]));
  const edited = live.filter((row) => {
    const migration = byName.get(row.migration_name);
    return migration !== undefined && !matchesChecksum(migration.script, row.checksum);
  });
  if (edited.length) {
    throw new Error(
      `Migration(s) changed after they were applied: ${edited.map((r) => r.migration_name).join(', ')}. ` +
        'Their migration.sql no longer matches the checksum in _prisma_migrations; restore the file ' +
        'and put the change in a new migration instead.',
    );
  }
  const unknown = live.filter((row) => !byName.has(row.migration_name));
  if (unknown.length)
    log(
      `Warning: applied migration(s) not found in the migrations folder: ${unknown.map((r) => r.migration_name).join(', ')}`,
    );
  const done = new Set(live.map((row) => row.migration_name));
  return migrations.filter((m) => !done.has(m.name));
}

// Unlike Prisma, each migration runs in one transaction with its history row: a failure leaves
// neither half a migration nor a "failed" row behind, so fixing the SQL and rerunning is enough.
// The row is looked for again inside the transaction because embedded PGlite serves every client
// from one session, where the advisory lock excludes nobody; its socket server does, however,
// run a transaction alone, so another migrator's work is either all visible here or not begun.
async function applyOne(client: pg.Client, migration: Migration): Promise<boolean> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    const done = await client.query(
      'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NULL AND finished_at IS NOT NULL',
      [migration.name],
    );
    if (done.rowCount) {
      await client.query('COMMIT');
      return false;
    }
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, migrationChecksum(migration.script), migration.name],
    );
    await client.query(migration.script);
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${message}`, {
      cause: error,
    });
  }
}

async function lockMigrations(client: pg.Client, log: (line: string) => void) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [PRISMA_MIGRATE_LOCK_KEY],
    );
    if (rows[0]?.locked) return;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${LOCK_WAIT_MS / 1000}s waiting for the migration lock (pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})) held by another process.`,
      );
    }
    if (!told) log('Another process is migrating this database; waiting for it to finish...');
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
