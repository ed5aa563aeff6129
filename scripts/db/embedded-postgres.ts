import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// Embedded PostgreSQL for zero-config development and tests: PGlite (PostgreSQL compiled to
// Wasm) behind a TCP socket, so the app, psql and the migration applier all speak the same wire
// protocol through `pg` as they do against a real server. (`prisma dev`, Prisma's own local
// PostgreSQL, fails on Node 20: it needs `node:sqlite`.)

export type EmbeddedPostgres = { url: string; port: number; stop(): Promise<void> };

export type EmbeddedPostgresOptions = {
  /** Folder holding the data; undefined keeps everything in memory. */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 lets the OS pick a free one. */
  port?: number;
};

// PGlite is one backend session; the socket server multiplexes clients onto it and queues their
// queries (a transaction holds the session until it ends). Prisma's pg pool opens up to 10
// connections, next dev may hold a second pool while reloading, and a test or psql needs one more.
const MAX_CONNECTIONS = 32;

/**
 * The app's pool size (DATABASE_POOL_MAX) on the embedded database. The socket server queues each
 * protocol message on its own, so a transaction that begins between another connection's Parse
 * and Bind runs its own statements in between, and that connection's Bind then meets the wrong
 * statement ("bind message supplies 3 parameters, but prepared statement "" requires 8"), or its
 * client waits forever. One connection per process keeps every statement whole.
 */
export const EMBEDDED_POOL_MAX = '1';

/** Thrown when another process holds the data folder; `holder` says who, when it is known. */
export class EmbeddedPostgresLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `process ${holder.pid} (serving ${holder.url})` : 'another process';
    super(
      `The embedded database in ${dataDir} is in use by ${who}. A PGlite data folder can be opened by one process only.`,
    );
    this.name = 'EmbeddedPostgresLockedError';
  }
}

type LockHolder = { pid: number; url: string; startedAt: string };

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const lock = dataDir ? acquireLock(dataDir) : null;
  let db: PGlite | undefined;
  try {
    if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
    db = await keepingExitCode(() => PGlite.create(dataDir ? { dataDir } : {}));
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: MAX_CONNECTIONS,
    });
    await server.start();
    const port = Number(server.getServerConn().split(':').pop());
    // PGlite accepts any user and database name. It cannot answer an SSL request, which psql sends
    // first unless told not to: the URL says so.
    const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    lock?.record({ pid: process.pid, url, startedAt: new Date().toISOString() });
    let stopped: Promise<void> | undefined;
    const instance = db;
    return {
      url,
      port,
      stop() {
        stopped ??= (async () => {
          await keepingExitCode(async () => {
            await server.stop();
            await instance.close();
          });
          lock?.release();
        })();
        return stopped;
      },
    };
  } catch (error) {
    if (db) await keepingExitCode(() => db!.close()).catch(() => {});
    lock?.release();
    throw error;
  }
}

/**
 * Runs a step of PGlite's life without letting it touch the process's exit code. PGlite is
 * PostgreSQL compiled by Emscripten, whose exit handler writes `process.exitCode`: 99 once its
 * initdb has run at start-up, 0 when it shuts down. Vitest sets the code to 1 after a failed run
 * and only then stops this database in its global teardown, so `npm test` on embedded defaults
 * ended with 0 whatever had failed (scripts/db/embedded-postgres.test.ts).
 */
async function keepingExitCode<T>(step: () => Promise<T>): Promise<T> {
  const exitCode = process.exitCode;
  try {
    return await step();
  } finally {
    process.exitCode = exitCode;
  }
}

// PGlite itself does not notice a second process opening the same folder (both would write to
// it), so a lock file beside the folder records the owner; one left by a dead process is taken over.
function acquireLock(dataDir: string) {
  const lockPath = `${dataDir}.lock`;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  if (!createLockFile(lockPath)) {
    const holder = readHolder(lockPath);
    if (holder && isAlive(holder.pid)) throw new EmbeddedPostgresLockedError(dataDir, holder);
    fs.rmSync(lockPath, { force: true });
    if (!createLockFile(lockPath))
      throw new EmbeddedPostgresLockedError(dataDir, readHolder(lockPath));
  }
  const releaseOnExit = () => fs.rmSync(lockPath, { force: true });
  process.once('exit', releaseOnExit);
  return {
    record(holder: LockHolder) {
      fs.writeFileSync(lockPath, JSON.stringify(holder));
    },
    release() {
      process.removeListener('exit', releaseOnExit);
      const holder = readHolder(lockPath);
      if (!holder || holder.pid === process.pid) fs.rmSync(lockPath, { force: true });
    },
  };
}

function createLockFile(lockPath: string): boolean {
  try {
    fs.writeFileSync(
      lockPath,
      JSON.stringify({ pid: process.pid, url: '', startedAt: new Date().toISOString() }),
      { flag: 'wx' },
    );
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readHolder(lockPath: string): LockHolder | null {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
