import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nextEnv from '@next/env';
import { DEMO_PASSWORD, seedDemoUsers } from '../prisma/seed';
import { applyMigrations } from './db/apply-migrations';
import {
  EMBEDDED_POOL_MAX,
  EmbeddedPostgresLockedError,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from './db/embedded-postgres';

// `npm run dev` with nothing configured: an embedded PostgreSQL kept in .data/pglite, migrated
// and seeded with the demo users, a persistent AUTH_SECRET, then `next dev` with both in its
// environment. With DATABASE_URL set (shell or .env files, read as next dev reads them) it
// migrates and seeds that database instead. Runs under the react-server condition because the
// seed hashes passwords with lib/auth/password.ts, which is server-only.

const ROOT = path.resolve(import.meta.dirname, '..');
const DATA_DIR = path.join(ROOT, '.data');
const PGLITE_DIR = path.join(DATA_DIR, 'pglite');
const SECRET_FILE = path.join(DATA_DIR, 'auth-secret');
const PREFERRED_DB_PORT = 54329;

nextEnv.loadEnvConfig(ROOT, true);
// `npm run dev -- -p 3001` and `PORT=3001 npm run dev` both work; the chosen port also goes into
// next dev's PORT, from which lib/env.ts derives the default APP_ORIGIN for links.
const { port: appPort, rest: nextArgs } = portFromArgs(process.argv.slice(2), process.env.PORT);
const log = (line: string) => console.log(`[dev] ${line}`);

let embedded: EmbeddedPostgres | undefined;
let databaseUrl = process.env.DATABASE_URL;
try {
  if (!databaseUrl) {
    const started = Date.now();
    embedded = await startEmbeddedPostgres({
      dataDir: PGLITE_DIR,
      port: await freePort(PREFERRED_DB_PORT),
    });
    databaseUrl = embedded.url;
    log(
      `embedded PostgreSQL (${path.relative(ROOT, PGLITE_DIR)}) ready in ${Date.now() - started} ms`,
    );
  }
  await applyMigrations(databaseUrl, { log });
  await seedDemoUsers(databaseUrl);
} catch (error) {
  await embedded?.stop();
  if (error instanceof EmbeddedPostgresLockedError) {
    console.error(`[dev] ${error.message}`);
    const stop = error.holder ? ` (kill ${error.holder.pid})` : '';
    console.error(
      `[dev] Another \`npm run dev\` is probably running in this folder: use that one, or stop it${stop} and try again.`,
    );
  } else {
    console.error(
      '[dev] Could not prepare the database:',
      error instanceof Error ? error.message : error,
    );
  }
  process.exit(1);
}

const authSecret = process.env.AUTH_SECRET || readOrCreateSecret();
printBanner();

const next = spawn(
  path.join(ROOT, 'node_modules/.bin/next'),
  ['dev', '--port', appPort, ...nextArgs],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      // One connection to the embedded database (lib/env.ts, DATABASE_POOL_MAX); yours win.
      ...(embedded ? { DATABASE_POOL_MAX: EMBEDDED_POOL_MAX } : {}),
      ...process.env,
      PORT: appPort,
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: authSecret,
    },
  },
);
// Ctrl+C reaches next dev directly (same process group); a `kill` aimed at this launcher is
// passed on. Either way the database is closed only after next dev has gone.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => next.kill(signal));
}
next.on('exit', async (code, signal) => {
  await embedded?.stop();
  process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
});

function readOrCreateSecret(): string {
  fs.mkdirSync(DATA_DIR, { recursive: true });
  try {
    return fs.readFileSync(SECRET_FILE, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    fs.writeFileSync(SECRET_FILE, `${secret}\n`, { mode: 0o600 });
    log(`created AUTH_SECRET in ${path.relative(ROOT, SECRET_FILE)}`);
    return secret;
  }
}

function portFromArgs(args: string[], fallback = '3000') {
  const rest: string[] = [];
  let port = fallback || '3000';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const [flag, inline] = arg.split('=', 2);
    if (flag === '-p' || flag === '--port') {
      port = inline ?? args[++i] ?? port;
    } else {
      rest.push(arg);
    }
  }
  return { port, rest };
}

// A fixed port lets psql and a second terminal find the database from one run to the next.
function freePort(preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(0));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}

function printBanner() {
  const users = ['admin (admin)', 'demo (email + SMS)', 'demo-email (email only)'];
  const outbox = !/^(0|false|no)$/i.test(process.env.OUTBOX_ENABLED ?? '');
  console.log(
    [
      '',
      `  Latchkey      http://localhost:${appPort}`,
      `  Sign in as    ${users.join(', ')}; password ${DEMO_PASSWORD}`,
      `  Codes         ${outbox ? `not sent: read them at http://localhost:${appPort}/dev/outbox` : 'sent through the configured providers'}`,
      `  Database      ${embedded ? `psql '${databaseUrl}'` : 'DATABASE_URL (from your environment)'}`,
      '',
    ].join('\n'),
  );
}
