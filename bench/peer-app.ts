import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import pg from 'pg';
import { PASSWORD_HASH_OPTIONS } from '../lib/auth/password';
import { createScratchDatabase } from '../scripts/db/scratch-database';
import { deleteKeys, stopProcess, waitUntilAnswering } from '../scripts/next-server';
import { PASSWORD, REDIS_URL, SERVER_URL } from './bench-server';
import type { Run } from './verify';

// The peer of `npm run bench:peer` (bench/peer/: Better Auth 1.7 with its two-factor plugin) under
// `next start`, on a fresh database of the machine's PostgreSQL and a fresh key prefix of its
// Redis; the state its two workloads start from, written the way Better Auth itself writes it
// (users and credential accounts in PostgreSQL, trusted devices and pending sign-ins as
// verification values in Redis, cookies signed with the secret), outside the timed window; and
// the two workloads, the same as Latchkey's (bench/logins.ts, bench/verify.ts).

export const PEER_DIR = path.resolve(import.meta.dirname, 'peer');

export type PeerServer = {
  origin: string;
  pid: number;
  databaseName: string;
  /** `count` users with two-factor on, sharing the bench password (argon2id, Latchkey's parameters). */
  createUsers(count: number): Promise<string[]>;
  /** Trusted-browser cookies, `perUser` per user, interleaved over users (they rotate on use). */
  trustedDevices(userIds: string[], perUser: number): Promise<{ email: string; cookie: string }[]>;
  /** Sign-ins past the password step with an email code sent: the cookie and the code. */
  pendingCodes(userIds: string[], count: number): Promise<{ cookie: string; code: string }[]>;
  stop(): Promise<void>;
};

const email = (userId: string) => `${userId}@example.com`;

export async function startPeerServer(port: number): Promise<PeerServer> {
  const undo: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of undo.splice(0).reverse())
      await step().catch((error: unknown) => console.error('[peer] cleanup:', error));
  };
  try {
    const database = await createScratchDatabase(SERVER_URL, 'latchkey_peer');
    undo.push(() => database.drop());
    const prefix = `latchkey-peer:${process.pid}-${randomBytes(4).toString('hex')}:`;
    undo.push(() => deleteKeys(REDIS_URL, prefix));
    const origin = `http://127.0.0.1:${port}`;
    const secret = randomBytes(32).toString('base64url');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      REDIS_URL,
      PEER_REDIS_PREFIX: prefix,
      BETTER_AUTH_SECRET: secret,
      BETTER_AUTH_URL: origin,
    };
    await run(process.execPath, ['migrate.mjs'], env);
    const server = spawn(
      process.execPath,
      [path.join(PEER_DIR, 'node_modules/next/dist/bin/next'), 'start', '--port', String(port)],
      { cwd: PEER_DIR, env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    undo.push(() => stopProcess(server));
    process.once('exit', () => server.kill('SIGKILL'));
    await waitUntilAnswering(`${origin}/api/auth/ok`, server);

    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    undo.push(() => pool.end());
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    undo.push(async () => redis.disconnect());
    let usersMade = 0;

    /** A verification value as Better Auth's internal adapter stores it in secondary storage. */
    const verification = (
      batch: ReturnType<Redis['pipeline']>,
      identifier: string,
      value: string,
      ttlSeconds: number,
    ) => {
      const now = new Date();
      const record = {
        id: randomBytes(16).toString('base64url'),
        createdAt: now,
        updatedAt: now,
        value,
        identifier,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      };
      batch.set(`${prefix}verification:${identifier}`, JSON.stringify(record), 'EX', ttlSeconds);
    };
    // better-call's signed cookie: value "." base64(HMAC-SHA256(secret, value)), URI-encoded.
    const signed = (name: string, value: string) =>
      `better-auth.${name}=${encodeURIComponent(`${value}.${createHmac('sha256', secret).update(value).digest('base64')}`)}`;

    return {
      origin,
      pid: server.pid!,
      databaseName: database.name,
      async createUsers(count) {
        const passwordHash = await hash(PASSWORD, PASSWORD_HASH_OPTIONS);
        const ids = Array.from(
          { length: count },
          (_, i) => `peer${String(usersMade + i).padStart(6, '0')}`,
        );
        usersMade += count;
        await pool.query(
          `INSERT INTO "user" (id, name, email, "emailVerified", "twoFactorEnabled")
           SELECT id, id, id || '@example.com', true, true FROM unnest($1::text[]) AS u(id)`,
          [ids],
        );
        await pool.query(
          `INSERT INTO account (id, "accountId", "providerId", "userId", password, "updatedAt")
           SELECT 'acc' || id, id, 'credential', id, $2, now() FROM unnest($1::text[]) AS u(id)`,
          [ids, passwordHash],
        );
        return ids;
      },
      async trustedDevices(userIds, perUser) {
        const batch = redis.pipeline();
        const devices: { email: string; cookie: string }[] = [];
        // Interleaved, so that consecutive requests hit different users.
        for (let round = 0; round < perUser; round++)
          for (const userId of userIds) {
            const identifier = `trust-device-${randomBytes(24).toString('base64url')}`;
            const token = createHmac('sha256', secret)
              .update(`${userId}!${identifier}`)
              .digest('base64url');
            verification(batch, identifier, userId, 30 * 24 * 3600);
            devices.push({
              email: email(userId),
              cookie: signed('trust_device', `${token}!${identifier}`),
            });
          }
        await batch.exec();
        return devices;
      },
      async pendingCodes(userIds, count) {
        const batch = redis.pipeline();
        const pending = Array.from({ length: count }, (_, i) => {
          // What the sign-in hook and POST /two-factor/send-otp leave (two-factor plugin).
          const identifier = `2fa-${randomBytes(15).toString('base64url')}`;
          const code = String(randomInt(1_000_000)).padStart(6, '0');
          const hashed = createHash('sha256').update(code).digest('base64url');
          verification(batch, identifier, userIds[i % userIds.length]!, 600);
          verification(batch, `2fa-attempts-${identifier}`, '0', 600);
          verification(batch, `2fa-otp-${identifier}`, `${hashed}:0`, 600);
          return { cookie: signed('two_factor', identifier), code };
        });
        await batch.exec();
        return pending;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Builds the peer (`next build` in bench/peer), installing it first when it is not installed. */
export async function buildPeer() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { existsSync } = await import('node:fs');
  if (!existsSync(path.join(PEER_DIR, 'node_modules/better-auth')))
    await run(npm, ['ci', '--no-audit', '--no-fund'], process.env);
  await run(npm, ['run', 'build'], {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: '1',
    // Read when the route modules load during the build; the real ones come at `next start`.
    BETTER_AUTH_SECRET: 'build-time-placeholder-secret-not-used-at-runtime',
    BETTER_AUTH_URL: 'http://127.0.0.1',
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: PEER_DIR,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** A JSON POST whose body and cookie come from `next()`; `ok` counts the answers that made a session. */
function load(
  url: string,
  origin: string,
  next: () => { body: string; cookie: string },
  options: Partial<autocannon.Options>,
  label: string,
): Promise<Run> {
  let used = 0;
  let ok = 0;
  let notOk = 0;
  return new Promise<Run>((resolve, reject) => {
    autocannon({
      url,
      ...options,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            used += 1;
            const { body, cookie } = next();
            return {
              ...request,
              body,
              headers: { origin, 'content-type': 'application/json', cookie },
            };
          },
          onResponse: (status, body, _context, headers) => {
            // A session: 200 with the session cookie and no `twoFactorRedirect` in the body.
            const cookies = String(headers?.['set-cookie'] ?? headers?.['Set-Cookie'] ?? '');
            if (
              status === 200 &&
              !body.includes('twoFactorRedirect') &&
              cookies.includes('better-auth.session_token=')
            )
              ok += 1;
            else notOk += 1;
          },
        },
      ],
    }).then((result) => resolve({ label, result, ok, notOk, used }), reject);
  });
}

/** The trusted browser's password step: POST /api/auth/sign-in/email with a trust_device cookie. */
export function peerLoginLoad(
  server: PeerServer,
  devices: { email: string; cookie: string }[],
  options: Partial<autocannon.Options>,
): Promise<Run> {
  let next = 0;
  return load(
    `${server.origin}/api/auth/sign-in/email`,
    server.origin,
    () => {
      const device = devices[next++ % devices.length]!;
      return {
        body: JSON.stringify({ email: device.email, password: PASSWORD }),
        cookie: device.cookie,
      };
    },
    options,
    'login',
  );
}

/** A correct code on its own pending sign-in: POST /api/auth/two-factor/verify-otp. */
export function peerVerifyLoad(
  server: PeerServer,
  codes: { cookie: string; code: string }[],
  options: Partial<autocannon.Options>,
): Promise<Run> {
  let next = 0;
  return load(
    `${server.origin}/api/auth/two-factor/verify-otp`,
    server.origin,
    () => {
      const pending = codes[next++];
      if (!pending) throw new Error('ran out of pending sign-ins');
      return { body: JSON.stringify({ code: pending.code }), cookie: pending.cookie };
    },
    options,
    'verify',
  );
}
