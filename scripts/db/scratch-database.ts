import { randomBytes } from 'node:crypto';
import pg from 'pg';

// A fresh database on an existing PostgreSQL server, for one test or e2e run. The CI server is
// already running and keeps what earlier runs left, so every run gets its own uniquely named
// database.

export type ScratchDatabase = { name: string; url: string; drop(): Promise<void> };

export async function createScratchDatabase(
  serverUrl: string,
  prefix: string,
): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onMaintenanceDatabase(serverUrl, async (client) => {
    if (await isEmbedded(client))
      throw new Error(
        `${redact(serverUrl)} is embedded PGlite, which serves one database only; start another embedded instance instead.`,
      );
    await client.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop() {
      // FORCE ends connections a pool forgot to close, which would otherwise block the drop.
      dropped ??= onMaintenanceDatabase(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => {});
      return dropped;
    },
  };
}

/**
 * False for embedded PGlite: it accepts CREATE DATABASE, but whatever database a client names it
 * serves its single one, so a "fresh" database there would be the shared one.
 */
export async function canCreateScratchDatabases(serverUrl: string): Promise<boolean> {
  return onMaintenanceDatabase(serverUrl, async (client) => !(await isEmbedded(client)));
}

async function isEmbedded(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ version: string }>('SELECT version()');
  return /wasm32|emscripten/i.test(rows[0]?.version ?? '');
}

function redact(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.password = '';
  return url.toString();
}

// CREATE and DROP DATABASE cannot run inside the database they name, so they go through the
// server's `postgres` database.
async function onMaintenanceDatabase<T>(
  serverUrl: string,
  action: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}
