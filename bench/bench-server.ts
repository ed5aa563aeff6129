import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';
import { DEMO_PASSWORD, seedDemoUsers } from '../prisma/seed';
import { applyMigrations } from '../scripts/db/apply-migrations';
import { createScratchDatabase } from '../scripts/db/scratch-database';
import { deleteKeys, stopProcess, waitUntilAnswering } from '../scripts/next-server';
import { defaultGateSize, gateSlots, passwordWorkerCount } from '../lib/auth/sign-in-gate';
import { startFakePostmark } from '../tests/support/fake-postmark';
import { startFakeTwilio } from '../tests/support/fake-twilio';
import { startBridgeProcess } from './upstash-bridge-process';

// What every benchmark stands on: the production build (`next build` first) under `next start`,
// configured as a deployment is (Upstash protocol to the machine's Redis through the bridge, a
// fresh scratch database on the machine's PostgreSQL, Postmark and Twilio adapters pointed at the
// local fakes, outbox off). Loopback only.
// The bridge runs in a process of its own (bench/upstash-bridge-process.ts) and counts its HTTP
// requests, so a script can tell how many round trips to "Upstash" a request cost; Redis's own
// `INFO commandstats` counts the commands.

const ROOT = path.resolve(import.meta.dirname, '..');
/** The machine's PostgreSQL server and Redis, where every bench makes its scratch database and key prefix. */
export const SERVER_URL =
  process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export type BenchServer = {
  origin: string;
  /** The `next start` process, for CPU accounting. */
  pid: number;
  databaseName: string;
  databaseUrl: string;
  authSecret: string;
  upstash: { url: string; token: string; prefix: string };
  /** The Upstash bridge's process, for CPU accounting. */
  bridgePid: number;
  /** HTTP requests the Upstash bridge has served so far (its own count). */
  upstashRoundTrips(): Promise<number>;
  /** Redis calls per command so far (`INFO commandstats`). */
  redisCommandCounts(): Promise<Map<string, number>>;
  /**
   * Peak resident memory so far of `next start` and its child processes (VmHWM, summed), in MB:
   * an upper bound when there are children, whose peaks need not coincide.
   */
  peakRssMb(): number;
  /** `count` users that share the demo password, for spreading load over rows. */
  createUsers(count: number): Promise<{ id: string; username: string }[]>;
  /** Trusted-device tokens, `perUser` for each user, valid for 30 days. */
  createDeviceTokens(
    users: { id: string; username: string }[],
    perUser: number,
  ): Promise<{ username: string; token: string }[]>;
  stop(): Promise<void>;
};

export const PASSWORD = DEMO_PASSWORD;

export function requireBuild() {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID'))) {
    console.error('No production build: run `SKIP_ENV_VALIDATION=1 npx next build` first.');
    process.exit(1);
  }
}

/**
 * The bench server's sign-in gate (lib/auth/sign-in-gate.ts): SIGN_IN_CONCURRENCY from
 * BENCH_SIGN_IN_CONCURRENCY (unset: the product's default), and how many password steps it admits
 * at once (running + waiting). A closed-loop run with more connections than that gets 503s that
 * come straight back and use up its device tokens, so the load runs stay within it.
 */
export function benchSignInGate(): {
  env: Record<string, string>;
  admits: number;
  description: string;
} {
  const configured = process.env.BENCH_SIGN_IN_CONCURRENCY;
  // BENCH_SIGN_IN_THREAD: where the password step runs (SIGN_IN_THREAD; unset: the product's
  // default, a worker thread for this production server, decision 0032).
  const thread = process.env.BENCH_SIGN_IN_THREAD;
  // BENCH_SIGN_IN_QUEUE_WAIT_MS: how long a password step may wait in the gate (SIGN_IN_QUEUE_WAIT_MS).
  const queueWait = process.env.BENCH_SIGN_IN_QUEUE_WAIT_MS;
  // As the server sizes it (signInGateSlots, lib/web/password-step.ts): with the steps in worker
  // threads, two slots per worker, fixed (decision 0034); inline, adapting.
  const cores = os.availableParallelism();
  const { slots, maxSlots, queue } = defaultGateSize(
    cores,
    gateSlots(
      configured ? Number(configured) : undefined,
      thread === 'inline' ? 0 : passwordWorkerCount(cores),
    ),
  );
  return {
    env: {
      ...(configured ? { SIGN_IN_CONCURRENCY: configured } : {}),
      ...(thread ? { SIGN_IN_THREAD: thread } : {}),
      ...(queueWait ? { SIGN_IN_QUEUE_WAIT_MS: queueWait } : {}),
    },
    admits: slots + queue,
    description: `${maxSlots ? `${slots}–${maxSlots} (adapting)` : slots} running + ${queue} waiting (SIGN_IN_CONCURRENCY=${configured ?? 'default'}), SIGN_IN_THREAD=${thread ?? 'default'}, SIGN_IN_QUEUE_WAIT_MS=${queueWait || 'default'}`,
  };
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
}

export async function startBenchServer(options: {
  port: number;
  env?: Record<string, string>;
  deadlineSeconds?: number;
}): Promise<BenchServer> {
  requireBuild();
  const undo: (() => Promise<unknown>)[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const step of undo.reverse())
        await step().catch((error: unknown) => console.error('[bench] cleanup:', error));
    })());
  // Bounded: a run that hangs (or is interrupted) still stops the server and drops the database.
  const abort = (why: string) => {
    console.error(`[bench] ${why}: stopping`);
    void stop().finally(() => process.exit(1));
  };
  const deadline = setTimeout(
    () => abort(`not done after ${options.deadlineSeconds ?? 240} s`),
    (options.deadlineSeconds ?? 240) * 1000,
  ).unref();
  undo.push(async () => clearTimeout(deadline)); // runs last: a later server in the same process lives on
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => abort(signal));
  try {
    const database = await createScratchDatabase(SERVER_URL, 'latchkey_perf');
    undo.push(() => database.drop());
    await applyMigrations(database.url);
    await seedDemoUsers(database.url, { reset: true });

    const prefix = `latchkey-perf:${process.pid}-${randomBytes(4).toString('hex')}:`;
    const bridge = await startBridgeProcess(REDIS_URL);
    undo.push(async () => bridge.stop());
    undo.push(() => deleteKeys(REDIS_URL, prefix));
    const postmark = await startFakePostmark();
    undo.push(() => postmark.close());
    const twilio = await startFakeTwilio();
    undo.push(() => twilio.close());

    const origin = `http://127.0.0.1:${options.port}`;
    const authSecret = randomBytes(32).toString('base64url');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      AUTH_SECRET: authSecret,
      APP_ORIGIN: origin,
      ALLOW_INSECURE_ORIGIN: '1',
      OUTBOX_ENABLED: '0',
      MEMORY_STORE: '0',
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      STORE_KEY_PREFIX: prefix,
      POSTMARK_SERVER_TOKEN: postmark.token,
      POSTMARK_FROM: 'Latchkey <login@example.com>',
      POSTMARK_API_HOST: postmark.host,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_BASE_URL: twilio.baseUrl,
      // BENCH_REQUEST_CONCURRENCY: the server's request admission (REQUEST_CONCURRENCY, decision
      // 0035; 0 off); unset, the product's default.
      ...(process.env.BENCH_REQUEST_CONCURRENCY
        ? { REQUEST_CONCURRENCY: process.env.BENCH_REQUEST_CONCURRENCY }
        : {}),
      ...options.env,
    };
    // BENCH_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops.
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
    // BENCH_NODE_FLAGS: more flags for the server's node (`--trace-gc`, `--import ./probe.mjs`);
    // BENCH_SERVER_STDOUT=<file>: where its standard output goes (else nowhere).
    const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const stdout = process.env.BENCH_SERVER_STDOUT
      ? openSync(process.env.BENCH_SERVER_STDOUT, 'w')
      : 'ignore';
    const server = spawn(
      process.execPath,
      [
        ...profile,
        ...flags,
        path.join(ROOT, 'node_modules/next/dist/bin/next'),
        'start',
        '--port',
        String(options.port),
      ],
      { cwd: ROOT, env, stdio: ['ignore', stdout, 'inherit'] },
    );
    undo.push(() => stopProcess(server));
    process.once('exit', () => server.kill('SIGKILL'));
    await waitUntilAnswering(`${origin}/login`, server);

    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    undo.push(() => pool.end());
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    undo.push(async () => redis.disconnect());
    let usersMade = 0;

    return {
      origin,
      pid: server.pid!,
      databaseName: database.name,
      databaseUrl: database.url,
      authSecret,
      upstash: { url: bridge.url, token: bridge.token, prefix },
      bridgePid: bridge.pid,
      upstashRoundTrips: () => bridge.requests(),
      peakRssMb: () => peakRssMb(server.pid!),
      async redisCommandCounts() {
        const info = await redis.info('commandstats');
        const counts = new Map<string, number>();
        for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm))
          counts.set(match[1]!, Number(match[2]));
        return counts;
      },
      async createUsers(count) {
        const { rows } = await pool.query<{ passwordHash: string }>(
          `SELECT "passwordHash" FROM "User" WHERE "usernameKey" = 'demo'`,
        );
        const first = usersMade;
        usersMade += count;
        const users = Array.from({ length: count }, (_, i) => ({
          id: `bench${String(first + i).padStart(6, '0')}`,
          username: `bench-${String(first + i).padStart(6, '0')}`,
        }));
        await pool.query(
          `INSERT INTO "User" (id, username, "usernameKey", email, "passwordHash", "twoFactor", "updatedAt")
           SELECT id, username, username, username || '@example.com', $3, true, now() FROM unnest($1::text[], $2::text[]) AS u(id, username)`,
          [users.map((u) => u.id), users.map((u) => u.username), rows[0]!.passwordHash],
        );
        return users;
      },
      async createDeviceTokens(users, perUser) {
        const tokens = users.flatMap((user) =>
          Array.from({ length: perUser }, () => ({
            ...user,
            token: randomBytes(32).toString('base64url'),
          })),
        );
        for (let i = 0; i < tokens.length; i += 5000) {
          const batch = tokens.slice(i, i + 5000);
          await pool.query(
            `INSERT INTO "TrustedDevice" (id, "userId", "tokenHash", name, "expiresAt")
             SELECT 'dev' || md5(h), u, h, 'Bench browser', now() + interval '30 days' FROM unnest($1::text[], $2::text[]) AS t(u, h)`,
            [
              batch.map((t) => t.id),
              batch.map((t) => createHash('sha256').update(t.token).digest('hex')),
            ],
          );
        }
        // Interleaved, so that consecutive requests hit different users.
        return tokens
          .map((t, i) => tokens[(i % users.length) * perUser + Math.floor(i / users.length)]!)
          .map((t) => ({ username: t.username, token: t.token }));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/** VmHWM of a process and its descendants, summed, in MB (Linux /proc). */
function peakRssMb(root: number): number {
  const table = processTable();
  const inTree = treeOf(root);
  let kb = 0;
  for (const p of table.filter((p) => inTree(p, table))) {
    try {
      kb += Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // ended
    }
  }
  return kb / 1024;
}

type ProcessCpu = { pid: number; parent: number; name: string; cmdline: string; seconds: number };

/** Every process's CPU seconds (user + system) so far, from /proc. */
function processTable(): ProcessCpu[] {
  const table: ProcessCpu[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      // USER_HZ is 100 on Linux.
      table.push({
        pid: Number(entry),
        parent: Number(fields[1]),
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        cmdline,
        seconds: (Number(fields[11]) + Number(fields[12])) / 100,
      });
    } catch {
      // the process ended while being read
    }
  }
  return table;
}

type Part = (p: ProcessCpu, table: ProcessCpu[]) => boolean;

/** A process and its descendants. */
const treeOf =
  (root: number): Part =>
  (p, table) => {
    const parents = new Map(table.map((t) => [t.pid, t.parent]));
    for (let pid: number | undefined = p.pid; pid !== undefined && pid > 1; pid = parents.get(pid))
      if (pid === root) return true;
    return false;
  };

/**
 * Runs `measure` and reports the CPU seconds each part of the system spent meanwhile, process by
 * process (a process that ended meanwhile is not counted; one that started counts whole). The
 * machine is shared: PostgreSQL counts only the backends serving this run's database, and Redis
 * is the whole server, other users included.
 */
export async function withCpuAccounting<T>(
  server: Pick<BenchServer, 'pid' | 'databaseName'> & { bridgePid?: number },
  measure: () => Promise<T>,
): Promise<{ result: T; cpu: Record<string, number>; wallSeconds: number }> {
  const parts: Record<string, Part> = {
    'next start': treeOf(server.pid),
    'postgres (this database)': (p) =>
      p.name.startsWith('postgres') && p.cmdline.includes(` ${server.databaseName} `),
    'redis (whole server, shared)': (p) => p.name.startsWith('redis-server'),
    'bench process (load generator)': (p) => p.pid === process.pid,
    ...(server.bridgePid ? { 'Upstash bridge (own process)': treeOf(server.bridgePid) } : {}),
  };
  const before = new Map(processTable().map((p) => [p.pid, p.seconds]));
  const started = performance.now();
  const result = await measure();
  const wallSeconds = (performance.now() - started) / 1000;
  const after = processTable();
  const cpu = Object.fromEntries(
    Object.entries(parts).map(([label, chosen]) => [
      label,
      after
        .filter((p) => chosen(p, after))
        .reduce((sum, p) => sum + p.seconds - (before.get(p.pid) ?? 0), 0),
    ]),
  );
  return { result, cpu, wallSeconds };
}
