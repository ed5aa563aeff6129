import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seedDemoUsers } from '../prisma/seed';
import { applyMigrations } from './db/apply-migrations';
import { EMBEDDED_POOL_MAX, startEmbeddedPostgres } from './db/embedded-postgres';
import { canCreateScratchDatabases, createScratchDatabase } from './db/scratch-database';
import { startUpstashBridge } from '../tests/support/upstash-bridge';
import { deleteKeys, stopProcess, waitUntilAnswering } from './next-server';

// Servers for Playwright: one fresh, migrated and seeded database, then one `next start` per
// entry of E2E_SERVERS, all sharing that database, each with its own env overrides:
//
//   E2E_SERVERS='[{"port":3100,"env":{}},{"port":3101,"env":{"OTP_TTL_SECONDS":"10"}}]' \
//     npx tsx --conditions=react-server scripts/serve-e2e.ts
//
// Ports may instead be given as arguments (`serve-e2e.ts 3100 3101`); the default is PORT or
// 3100. With DATABASE_URL naming a server the database is a fresh one there; with REDIS_URL
// naming one (and no UPSTASH_REDIS_REST_URL), the servers reach it through a local Upstash
// bridge under a fresh key prefix, deleted afterwards, and so run their password steps in worker
// threads as a deployment does (decision 0032). Needs `next build` first. Prints
// `ready <port> <url>` per server once it answers HTTP, then `ready all`; stops every server and
// drops the database when killed or when one exits.

type ServerSpec = { port: number; env?: Record<string, string> };

const ROOT = path.resolve(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 120_000;

const specs = serverSpecs();
const database = await freshDatabase();
const redis = await redisThroughBridge();
const children: ChildProcess[] = [];
let stopping: Promise<never> | undefined;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => void stop(0));

try {
  await applyMigrations(database.url);
  await seedDemoUsers(database.url, { reset: true });
  // Tests that must reach past the UI (a device whose trust has expired) read the URL from here.
  if (process.env.E2E_DATABASE_URL_FILE) {
    await mkdir(path.dirname(process.env.E2E_DATABASE_URL_FILE), { recursive: true });
    await writeFile(process.env.E2E_DATABASE_URL_FILE, database.url);
  }
  const authSecret = process.env.AUTH_SECRET || randomBytes(32).toString('base64url');
  // Under `next start` the outbox opens only to this token (or an admin): Playwright passes the
  // run's own; started by hand, a fresh one is printed for curl (x-outbox-token header).
  const outboxToken = process.env.OUTBOX_TOKEN || randomBytes(32).toString('base64url');
  if (!process.env.OUTBOX_TOKEN) console.log(`outbox token ${outboxToken}`);
  await Promise.all(specs.map((spec) => startServer(spec, authSecret, outboxToken)));
  console.log('ready all');
} catch (error) {
  console.error('[serve-e2e]', error instanceof Error ? error.message : error);
  await stop(1);
}

async function startServer(spec: ServerSpec, authSecret: string, outboxToken: string) {
  const origin = `http://127.0.0.1:${spec.port}`;
  // Defaults that make `next start` (NODE_ENV=production) run without vendor accounts: codes go
  // to the outbox (a preview's, behind the token) and live in process memory. The caller's
  // environment and overrides win.
  const env: NodeJS.ProcessEnv = {
    OUTBOX_ENABLED: '1',
    DEPLOYMENT_STAGE: 'preview',
    OUTBOX_TOKEN: outboxToken,
    ...(process.env.UPSTASH_REDIS_REST_URL || redis ? {} : { MEMORY_STORE: '1' }),
    // One connection to the embedded database (scripts/db/embedded-postgres.ts).
    ...(database.embedded ? { DATABASE_POOL_MAX: EMBEDDED_POOL_MAX } : {}),
    APP_ORIGIN: origin,
    ...process.env,
    ...redis?.env,
    ...spec.env,
    DATABASE_URL: database.url,
    AUTH_SECRET: spec.env?.AUTH_SECRET ?? authSecret,
    PORT: String(spec.port),
  };
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/next'),
    ['start', '--port', String(spec.port)],
    { cwd: ROOT, env, stdio: 'inherit' },
  );
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(
      `[serve-e2e] next start on port ${spec.port} exited (${signal ?? code}); stopping the others`,
    );
    void stop(code || 1);
  });
  await waitUntilAnswering(`${origin}/login`, child, READY_TIMEOUT_MS);
  console.log(`ready ${spec.port} ${origin}`);
}

function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    await Promise.all(children.map((child) => stopProcess(child)));
    await database
      .stop()
      .catch((error: unknown) => console.error('[serve-e2e] database cleanup failed:', error));
    await redis
      ?.stop()
      .catch((error: unknown) => console.error('[serve-e2e] Redis cleanup failed:', error));
    process.exit(code);
  })();
  return stopping;
}

function serverSpecs(): ServerSpec[] {
  if (process.env.E2E_SERVERS) {
    const parsed: unknown = JSON.parse(process.env.E2E_SERVERS);
    if (!Array.isArray(parsed) || !parsed.every((s) => Number.isInteger(s?.port))) {
      throw new Error('E2E_SERVERS must be a JSON array of {"port": number, "env"?: {...}}');
    }
    return parsed as ServerSpec[];
  }
  const ports = process.argv.slice(2).map(Number).filter(Number.isInteger);
  return (ports.length ? ports : [Number(process.env.PORT ?? 3100)]).map((port) => ({ port }));
}

// A database of its own on DATABASE_URL's server when there is one (CI), otherwise embedded
// PGlite in memory: nothing to clean up even if this process is killed outright.
async function freshDatabase(): Promise<{ url: string; embedded: boolean; stop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl && (await canCreateScratchDatabases(serverUrl))) {
    const scratch = await createScratchDatabase(serverUrl, 'latchkey_e2e');
    return { url: scratch.url, embedded: false, stop: scratch.drop };
  }
  return { ...(await startEmbeddedPostgres({ port: 0 })), embedded: true };
}

/** REDIS_URL's server behind a local Upstash bridge, under a key prefix of this run's own. */
async function redisThroughBridge(): Promise<{
  env: Record<string, string>;
  stop(): Promise<void>;
} | null> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl || process.env.UPSTASH_REDIS_REST_URL) return null;
  const prefix = `latchkey-e2e:${process.pid}-${randomBytes(4).toString('hex')}:`;
  const bridge = await startUpstashBridge({ redisUrl });
  return {
    env: {
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      STORE_KEY_PREFIX: prefix,
    },
    async stop() {
      await bridge.close();
      await deleteKeys(redisUrl, prefix);
    },
  };
}
