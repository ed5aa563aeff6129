import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { verify } from '@node-rs/argon2';
import autocannon from 'autocannon';
import type { OpenLoopRequest } from './open-loop';
import {
  benchSignInGate,
  machineDescription,
  PASSWORD,
  startBenchServer,
  withCpuAccounting,
  type BenchServer,
} from './bench-server';

// `npm run bench:logins` (P1): logins per second through the password step of a trusted browser
// (no code: `POST /login/password`, the sign-in form as a browser without JavaScript posts it:
// password → device token → session → 303 to /account), against the argon2id bound
// measured in the same run on the same cores: how many password verifies per second the
// machine does when it does nothing else. Goal: logins/s ≥ 80 % of the bound.
//
// Every request carries a fresh device token (tokens rotate on use, TD-04), spread over 100
// users who share one password hash. Needs a production build; loopback only; ~40 s.

const PORT = Number(process.env.BENCH_PORT ?? 3820);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const GATE = benchSignInGate();
/** 16, or fewer when the server's sign-in gate admits fewer (see benchSignInGate). */
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? Math.min(16, GATE.admits));

/**
 * Password verifies per second with `inFlight` verifies always outstanding, for `seconds`, and
 * the CPU milliseconds one verify costs (this process's CPU time over the verifies done).
 */
export async function argon2Bound(
  passwordHash: string,
  seconds = 5,
  inFlight = 8,
): Promise<{ perSecond: number; cpuMs: number }> {
  let done = 0;
  const cpuBefore = process.cpuUsage();
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      if (!(await verify(passwordHash, PASSWORD)))
        throw new Error('the bench hash does not match the password');
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    perSecond: done / ((performance.now() - started) / 1000),
    cpuMs: (cpu.user + cpu.system) / 1000 / done,
  };
}

const FORM_TYPE = 'application/x-www-form-urlencoded';
const loginForm = (username: string) =>
  new URLSearchParams({ username, password: PASSWORD }).toString();

/** The trusted browser's password step as a browser without JavaScript posts it, for open-loop runs. */
export function trustedLoginRequest(
  origin: string,
  { username, token }: { username: string; token: string },
): OpenLoopRequest {
  return {
    path: '/login/password',
    body: loginForm(username),
    headers: { origin, 'content-type': FORM_TYPE, cookie: `latchkey.device=${token}` },
  };
}

/** A 303 to /account: someone was signed in. */
export const signedInAnswer = (status: number, location: string | undefined) =>
  status === 303 && String(location ?? '').endsWith('/account');

/**
 * autocannon against the trusted-browser password step; each request takes the next token.
 * `signedIn` counts the answers that are a 303 to /account (a reused or refused token lands on
 * /login/method instead, also with a 303).
 */
export async function loginLoad(
  server: BenchServer,
  tokens: { username: string; token: string }[],
  options: Partial<autocannon.Options>,
): Promise<autocannon.Result & { signedIn: number }> {
  let next = 0;
  let signedIn = 0;
  const result = await autocannon({
    url: `${server.origin}/login/password`,
    connections: CONNECTIONS,
    ...(options.amount ? {} : { duration: SECONDS }),
    ...options,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          // Past the end tokens are reused: those logins get a code step instead, and do not count.
          const { body, headers } = trustedLoginRequest(
            server.origin,
            tokens[next++ % tokens.length]!,
          );
          return { ...request, body, headers: { ...request.headers, ...headers } };
        },
        onResponse: (status, _body, _context, headers) => {
          const location = Object.entries(headers ?? {}).find(
            ([name]) => name.toLowerCase() === 'location',
          )?.[1];
          if (signedInAnswer(status, location === undefined ? undefined : String(location)))
            signedIn += 1;
        },
      },
    ],
  });
  return Object.assign(result, { signedIn });
}

/** One login by hand first: the load is worth measuring only if it signs people in. */
export async function assertTrustedLoginWorks(
  server: BenchServer,
  token: { username: string; token: string },
) {
  const response = await fetch(`${server.origin}/login/password`, {
    method: 'POST',
    body: loginForm(token.username),
    headers: {
      origin: server.origin,
      'content-type': FORM_TYPE,
      cookie: `latchkey.device=${token.token}`,
    },
    redirect: 'manual',
  });
  const cookies = response.headers.getSetCookie().map((c) => c.split('=')[0]);
  if (
    response.status !== 303 ||
    !response.headers.get('location')?.endsWith('/account') ||
    !cookies.includes('latchkey.session')
  )
    throw new Error(
      `a trusted login answered ${response.status} → ${response.headers.get('location')} (cookies: ${cookies.join(', ')})`,
    );
}

export function statusCounts(result: autocannon.Result): string {
  const stats = result.statusCodeStats ?? {};
  const parts = Object.entries(stats).map(([status, { count }]) => `${status}: ${count}`);
  if (result.errors) parts.push(`errors: ${result.errors}`);
  if (result.timeouts) parts.push(`timeouts: ${result.timeouts}`);
  return parts.join(', ');
}

export function successes(result: { signedIn: number }): number {
  return result.signedIn;
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(`sign-in gate: ${GATE.description}`);
  const cores = os.cpus().length;
  const server = await startBenchServer({ port: PORT, env: GATE.env });
  try {
    const users = await server.createUsers(100);
    const tokens = await server.createDeviceTokens(users, 60);
    const hash = await passwordHashOf(server);
    await assertTrustedLoginWorks(server, tokens.shift()!);

    // Round trips and commands, one login at a time so that none is in flight at either count.
    const tripsBefore = await server.upstashRoundTrips();
    const commandsBefore = await server.redisCommandCounts();
    const counted = await loginLoad(server, tokens.splice(0, 20), { amount: 20, connections: 1 });
    const trips = (await server.upstashRoundTrips()) - tripsBefore;
    const commandsAfter = await server.redisCommandCounts();
    const n = successes(counted);
    const perCommand = [...commandsAfter]
      .map(([name, calls]) => [name, (calls - (commandsBefore.get(name) ?? 0)) / n] as const)
      .filter(([name, c]) => c > 0.01 && name !== 'info');
    console.log(
      `one login at a time (${n}): p50 ${counted.latency.p50} ms; Upstash round trips per login ${(trips / n).toFixed(2)}; Redis commands ${perCommand.reduce((a, [, c]) => a + c, 0).toFixed(2)} (${perCommand.map(([name, c]) => `${name} ${c.toFixed(2)}`).join(', ')})`,
    );

    const before = await argon2Bound(hash);
    console.log(
      `argon2id bound before (8 in flight, 5 s): ${before.perSecond.toFixed(1)} verifies/s, ${before.cpuMs.toFixed(1)} CPU ms per verify`,
    );
    // Warm-up: the first requests compile and connect.
    await loginLoad(server, tokens.splice(0, 200), { duration: 3 });

    const { result, cpu, wallSeconds } = await withCpuAccounting(server, () =>
      loginLoad(server, tokens, {}),
    );
    const after = await argon2Bound(hash);
    console.log(
      `argon2id bound after: ${after.perSecond.toFixed(1)} verifies/s, ${after.cpuMs.toFixed(1)} CPU ms per verify`,
    );
    const bound = (before.perSecond + after.perSecond) / 2;
    const verifyCpuMs = (before.cpuMs + after.cpuMs) / 2;
    const logins = successes(result);
    const loginsPerSecond = logins / wallSeconds;

    console.log(
      `\nlogins (trusted browser, ${CONNECTIONS} connections, ${SECONDS} s): ${statusCounts(result)}`,
    );
    console.log(
      `latency ms: p50 ${result.latency.p50}, p99 ${result.latency.p99}, max ${result.latency.max}`,
    );
    console.log(
      `logins/s: ${loginsPerSecond.toFixed(1)}; argon2id bound (mean of before and after): ${bound.toFixed(1)} verifies/s`,
    );
    console.log(
      `ratio (wall clock): ${((100 * loginsPerSecond) / bound).toFixed(0)} % of the bound (goal ≥ 80 %)`,
    );

    // Wall-clock figures move with whatever else the machine runs; CPU time per operation does
    // not, so the same ratio is also given as CPU cost: a verify's over a login's.
    const perLogin = Object.fromEntries(
      Object.entries(cpu).map(([part, seconds]) => [part, (1000 * seconds) / logins]),
    );
    const appMs = perLogin['next start']!;
    const allMs = Object.values(perLogin).reduce((a, b) => a + b, 0);
    console.log('\nCPU ms per login during the run:');
    for (const [part, ms] of Object.entries(perLogin)) console.log(`  ${part}: ${ms.toFixed(1)}`);
    console.log(`  argon2id verify alone: ${verifyCpuMs.toFixed(1)}`);
    console.log(
      `ratio (CPU, app process only, as on a deployment whose database and Redis are elsewhere): ${((100 * verifyCpuMs) / appMs).toFixed(0)} %`,
    );
    console.log(
      `ratio (CPU, everything on this machine): ${((100 * verifyCpuMs) / allMs).toFixed(0)} %`,
    );
    console.log(
      `share of the machine this run got: ${((100 * Object.values(cpu).reduce((a, b) => a + b, 0)) / (wallSeconds * cores)).toFixed(0)} % of ${cores} cores`,
    );
    console.log(
      `next start peak RSS (VmHWM; with any child processes added): ${server.peakRssMb().toFixed(0)} MB`,
    );
  } finally {
    await server.stop();
  }
}

async function passwordHashOf(server: BenchServer): Promise<string> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  try {
    return (
      await client.query<{ passwordHash: string }>(
        `SELECT "passwordHash" FROM "User" WHERE "usernameKey" = 'demo'`,
      )
    ).rows[0]!.passwordHash;
  } finally {
    await client.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
