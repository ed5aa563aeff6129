import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { applyMigrations } from '../scripts/db/apply-migrations';
import { createScratchDatabase } from '../scripts/db/scratch-database';
import { deleteKeys } from '../scripts/next-server';
import { startBridgeProcess } from './upstash-bridge-process';

// The sign-in's library cost without Next.js: the real wiring (lib/web/wiring.ts) against a
// scratch database on the machine's PostgreSQL and the machine's Redis through the Upstash bridge
// the tests use, all in this one process. A trusted browser's login is `submitPassword` +
// `completeSignIn`, one at a time; then the per-request session check (`checkSessionToken`).
// Printed per operation: CPU ms of this process (`process.cpuUsage`, argon2id's libuv threads
// included; the bridge runs in a child process, as Upstash is not the app's CPU either), SQL
// statements (every `pg` query, Prisma's included), HTTP requests to "Upstash" (counted at the
// client's `fetch`), wall-clock p50.
// Two passes of logins: with argon2id, and with the password check replaced by a constant
// answer, so the second is the CPU a login costs besides the hash.
//
//   npx tsx --conditions=react-server bench/sign-in-lib.ts [logins per pass, default 300]

const SERVER_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const N = Number(process.argv[2] ?? 300);
const USERS = 50;
const PASSWORD = 'correct horse battery staple';

let sqlStatements = 0;
let upstashRequests = 0;
let bridgeUrl = '';
const fetchBefore = globalThis.fetch;
globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (bridgeUrl && url.startsWith(bridgeUrl)) upstashRequests++;
  return fetchBefore(input, init);
}) as typeof fetch;

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  sqlStatements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

async function main() {
  console.log(`sign-in-lib: ${N} logins per pass, load average ${loadAverage()} (at start)`);
  const database = await createScratchDatabase(SERVER_URL, 'latchkey_libbench');
  const prefix = `latchkey-libbench:${process.pid}-${randomBytes(4).toString('hex')}:`;
  const bridge = await startBridgeProcess(REDIS_URL);
  bridgeUrl = bridge.url;
  const admin = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    await applyMigrations(database.url);
    Object.assign(process.env, {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      AUTH_SECRET: randomBytes(32).toString('base64url'),
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      STORE_KEY_PREFIX: prefix,
      MEMORY_STORE: '0',
      OUTBOX_ENABLED: '1',
    });
    const { getSignInDeps } = await import('../lib/web/wiring');
    const { submitPassword, completeSignIn } = await import('../lib/auth/sign-in');
    const { checkSessionToken } = await import('../lib/auth/sessions/session-token');
    const { findLiveSession } = await import('../lib/auth/session-record');
    const { hashPassword } = await import('../lib/auth/password');
    const { db } = await import('../lib/db');

    const hash = await hashPassword(PASSWORD);
    const users = Array.from({ length: USERS }, (_, i) => ({
      id: `libbench${String(i).padStart(4, '0')}`,
      username: `libbench-${String(i).padStart(4, '0')}`,
    }));
    await admin.query(
      `INSERT INTO "User" (id, username, "usernameKey", email, "passwordHash", "twoFactor", "updatedAt")
       SELECT id, username, username, username || '@example.com', $3, true, now()
       FROM unnest($1::text[], $2::text[]) AS u(id, username)`,
      [users.map((u) => u.id), users.map((u) => u.username), hash],
    );
    // One device per user; its token rotates at every use, so each login carries the last one.
    const tokens = new Map<string, string>();
    for (const user of users) tokens.set(user.id, randomBytes(32).toString('base64url'));
    await admin.query(
      `INSERT INTO "TrustedDevice" (id, "userId", "tokenHash", name, "expiresAt")
       SELECT 'dev' || u, u, h, 'Bench browser', now() + interval '30 days'
       FROM unnest($1::text[], $2::text[]) AS t(u, h)`,
      [
        users.map((u) => u.id),
        users.map((u) => createHash('sha256').update(tokens.get(u.id)!).digest('hex')),
      ],
    );

    const real = getSignInDeps();
    const noHash = {
      ...real,
      passwords: { ...real.passwords, check: async () => ({ ok: true, needsRehash: false }) },
    } as typeof real;
    const who = { ip: '203.0.113.7', userAgent: 'sign-in-lib bench' };
    const sessions: { sid: string; sub: string }[] = [];

    async function login(deps: typeof real, i: number) {
      const user = users[i % USERS]!;
      const started = await submitPassword(deps, {
        username: user.username,
        password: PASSWORD,
        deviceToken: tokens.get(user.id),
        ...who,
      });
      if (!started.ok || started.next !== 'session' || !started.device)
        throw new Error(`login ${i}: the trusted browser did not skip the code`);
      tokens.set(user.id, started.device.token);
      const done = await completeSignIn(deps, { ticketId: started.ticketId, ...who });
      if (!done) throw new Error(`login ${i}: no session`);
      sessions.push({ sid: done.sessionId, sub: done.userId });
    }

    async function pass(name: string, count: number, step: (i: number) => Promise<void>) {
      const sql0 = sqlStatements,
        http0 = upstashRequests,
        cpu0 = cpuMs(),
        wall: number[] = [];
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        await step(i);
        wall.push(performance.now() - t);
      }
      const cpu = (cpuMs() - cpu0) / count;
      console.log(
        `${name.padEnd(26)} CPU ${cpu.toFixed(2).padStart(6)} ms/op   SQL ${((sqlStatements - sql0) / count).toFixed(2)}   ` +
          `HTTP ${((upstashRequests - http0) / count).toFixed(2)}   p50 ${median(wall).toFixed(2)} ms   load ${loadAverage()}`,
      );
      return cpu;
    }

    // Warm: scripts loaded, statements prepared, JIT done.
    for (let i = 0; i < 40; i++) await login(noHash, i);
    for (let i = 0; i < 10; i++) await login(real, i);

    const withHash = await pass('login (argon2id)', N, (i) => login(real, i));
    const without = await pass('login (no hash)', N, (i) => login(noHash, i));
    console.log(
      `argon2id share (difference) ${(withHash - without).toFixed(2)} ms/login; non-hash CPU ${without.toFixed(2)} ms/login`,
    );
    // A session seen a minute ago is touched once; the timed pass then reads live rows only.
    await db.session.updateMany({ data: { lastSeenAt: new Date() } });
    await pass('session check', sessions.length, async (i) => {
      const { sid, sub } = sessions[i]!;
      if (!(await checkSessionToken({ sid, sub }))) throw new Error('session check refused');
    });
    void findLiveSession;
    await db.$disconnect();
  } finally {
    await admin.end();
    await deleteKeys(REDIS_URL, prefix).catch(() => undefined);
    bridge.stop();
    await database.drop();
  }
  console.log(`load average ${loadAverage()} (at end)`);
  // The wiring's pools and clients have no close of their own here.
  process.exit(0);
}

await main();
