import os from 'node:os';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import {
  machineDescription,
  startBenchServer,
  withCpuAccounting,
  type BenchServer,
} from './bench-server';
import { signedInAnswer } from './logins';
import {
  inTurn,
  openLoop,
  openLoopStatuses,
  percentile,
  type OpenLoopRequest,
  type OpenLoopResult,
} from './open-loop';
import { pendingCodes, type PendingCode } from './sign-in-state';

// `npm run bench:verify` (P2): the code step (POST /login/verify/code with a correct code → session
// → 303 to /account) at 50 connections, against the cheapest route handler of the same build,
// `GET /api/auth/csrf` (Auth.js makes a CSRF token and its cookie: no database, no Redis), in the
// same run; and how many Redis round trips one verify costs, counted as HTTP requests to the
// Upstash endpoint and as Redis commands (`INFO commandstats`).
// Goal: verify p99 ≤ baseline p99 + 2 ms, one round trip. Each request uses its own ticket and code.
// Also run paced (a fixed rate well under capacity), where latency is the request's own, not
// the queue's. Needs a production build; loopback only; ~60 s.

const PORT = Number(process.env.BENCH_PORT ?? 3830);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 10);

export type Run = {
  label: string;
  result: autocannon.Result;
  ok: number;
  notOk: number;
  used: number;
};

/** The code form as a browser without JavaScript posts it, on its own pending sign-in. */
export function codeRequest(origin: string, pending: PendingCode): OpenLoopRequest {
  return {
    path: '/login/verify/code',
    body: new URLSearchParams({ code: pending.code }).toString(),
    headers: {
      origin,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `latchkey.ticket=${pending.ticketId}`,
    },
  };
}

/** Correct codes, each on its own ticket; `ok` counts the 303s to /account (a session made). */
export async function verifyLoad(
  server: BenchServer,
  codes: PendingCode[],
  options: Partial<autocannon.Options>,
): Promise<Run> {
  let next = 0;
  let ok = 0;
  let notOk = 0;
  const result = await autocannon({
    url: `${server.origin}/login/verify/code`,
    connections: CONNECTIONS,
    ...(options.amount ? {} : { duration: SECONDS }),
    ...options,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const pending = codes[next++];
          if (!pending) throw new Error('ran out of tickets');
          const { body, headers } = codeRequest(server.origin, pending);
          return { ...request, body, headers };
        },
        onResponse: (status, _body, _context, headers) => {
          const location = Object.entries(headers ?? {}).find(
            ([name]) => name.toLowerCase() === 'location',
          )?.[1];
          if (status === 303 && String(location ?? '').endsWith('/account')) ok += 1;
          else notOk += 1;
        },
      },
    ],
  });
  return { label: 'verify', result, ok, notOk, used: next };
}

/** The baseline: `GET /api/auth/csrf`, a route handler that touches neither database nor Redis. */
export async function baselineLoad(
  server: BenchServer,
  options: Partial<autocannon.Options>,
): Promise<Run> {
  const result = await autocannon({
    url: `${server.origin}/api/auth/csrf`,
    method: 'GET',
    connections: CONNECTIONS,
    duration: SECONDS,
    ...options,
  });
  return {
    label: 'csrf',
    result,
    ok: result.statusCodeStats?.['200']?.count ?? 0,
    notOk: result.non2xx + result.errors,
    used: 0,
  };
}

/** Per second of the run's own length (autocannon's runs last up to a second past the one asked for). */
export function line(run: Run) {
  const l = run.result.latency;
  return `${run.label.padEnd(7)} p50 ${String(l.p50).padStart(5)} ms  p99 ${String(l.p99).padStart(5)} ms  max ${String(l.max).padStart(5)} ms  ${(run.ok / run.result.duration).toFixed(0).padStart(5)}/s  (${run.ok} ok, ${run.notOk} not)`;
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  const server = await startBenchServer({ port: PORT });
  try {
    // 25 codes per user: the product sends at most 30 codes an hour per account. Enough for
    // ~450 verifies a second over the saturated run (270/s on 2026-12-04).
    const users = await server.createUsers(5000 / 25);
    const codes = await pendingCodes(
      server,
      users.map((u) => u.id),
      5000,
    );
    // Warm-up (compilation, connection pools), then make sure a verify signs someone in.
    const warm = await verifyLoad(server, codes.splice(0, 100), { amount: 100, connections: 10 });
    if (warm.ok < 90) throw new Error(`warm-up: only ${warm.ok} of 100 verifies made a session`);
    await baselineLoad(server, { duration: 2 });

    // Round trips and commands, one verify at a time so that none is in flight at either count.
    const tripsBefore = await server.upstashRoundTrips();
    const commandsBefore = await server.redisCommandCounts();
    const counted = await verifyLoad(server, codes.splice(0, 50), { amount: 50, connections: 1 });
    const trips = (await server.upstashRoundTrips()) - tripsBefore;
    const commandsAfter = await server.redisCommandCounts();
    const perCommand = [...commandsAfter]
      .map(
        ([name, calls]) => [name, (calls - (commandsBefore.get(name) ?? 0)) / counted.ok] as const,
      )
      .filter(([, n]) => n > 0.01);
    console.log(
      `\none verify at a time (${counted.ok} verifies): p50 ${counted.result.latency.p50} ms, p99 ${counted.result.latency.p99} ms`,
    );
    console.log(`Upstash HTTP round trips per verify: ${(trips / counted.ok).toFixed(2)} (goal 1)`);
    console.log(
      `Redis commands per verify: ${perCommand.reduce((a, [, n]) => a + n, 0).toFixed(2)} (${perCommand.map(([name, n]) => `${name} ${n.toFixed(2)}`).join(', ')})`,
    );

    console.log(`\nsaturated: ${CONNECTIONS} connections, ${SECONDS} s each`);
    const baseline1 = await withCpuAccounting(server, () => baselineLoad(server, {}));
    const verify = await withCpuAccounting(server, () => verifyLoad(server, codes, {}));
    codes.splice(0, verify.result.used);
    const baseline2 = await baselineLoad(server, {});
    console.log(line(baseline1.result));
    console.log(line(verify.result));
    console.log(line(baseline2));
    const baselineP99 = (baseline1.result.result.latency.p99 + baseline2.result.latency.p99) / 2;
    console.log(
      `verify p99 − csrf p99: ${(verify.result.result.latency.p99 - baselineP99).toFixed(0)} ms (goal ≤ 2 ms); ratio ${(verify.result.result.latency.p99 / baselineP99).toFixed(1)}×`,
    );
    const appMs = (run: { cpu: Record<string, number>; result: Run }) =>
      (1000 * run.cpu['next start']!) / run.result.ok;
    const allMs = (run: { cpu: Record<string, number>; result: Run }) =>
      (1000 * Object.values(run.cpu).reduce((a, b) => a + b, 0)) / run.result.ok;
    console.log(
      `CPU ms per request, app process: verify ${appMs(verify).toFixed(1)}, csrf ${appMs(baseline1).toFixed(2)}; everything on the machine: verify ${allMs(verify).toFixed(1)}, csrf ${allMs(baseline1).toFixed(2)}`,
    );
    console.log(
      `share of the machine the verify run got: ${((100 * Object.values(verify.cpu).reduce((a, b) => a + b, 0)) / (verify.wallSeconds * os.cpus().length)).toFixed(0)} %`,
    );
    console.log(
      `next start peak RSS (VmHWM; with any child processes added): ${server.peakRssMb().toFixed(0)} MB`,
    );

    console.log(
      `\npaced: ${PACED_RATE} requests/s on average (Poisson arrivals), ${SECONDS} s each`,
    );
    // Open loop, Poisson arrivals (bench/open-loop.ts): autocannon's own pacing sends each
    // second's requests in one burst and pads its percentiles with made-up samples.
    const paced = (request: () => OpenLoopRequest | null, seed: number) =>
      openLoop({
        origin: server.origin,
        rate: PACED_RATE,
        seconds: SECONDS,
        seed,
        request,
        wanted: (status, location) => status === 200 || signedInAnswer(status, location),
      });
    const csrf: OpenLoopRequest = { method: 'GET', path: '/api/auth/csrf', body: '', headers: {} };
    const pacedBaseline = await paced(() => csrf, 3);
    const codesInTurn = inTurn(codes, (pending) => codeRequest(server.origin, pending));
    const pacedVerify = await paced(codesInTurn.request, 5);
    codes.splice(0, codesInTurn.taken());
    // About 100 requests each: a p99 would be the largest or the next, so p90 and the maximum.
    const pacedLine = (label: string, run: OpenLoopResult) =>
      `${label.padEnd(7)} p50 ${percentile(run.latencies, 50).toFixed(0).padStart(5)} ms  p90 ${percentile(run.latencies, 90).toFixed(0).padStart(5)} ms  max ${(run.latencies.at(-1) ?? NaN).toFixed(0).padStart(5)} ms  (${run.wanted} of ${run.sent}: ${openLoopStatuses(run)})`;
    console.log(pacedLine('csrf', pacedBaseline));
    console.log(pacedLine('verify', pacedVerify));
    console.log(
      `verify p90 − csrf p90: ${(percentile(pacedVerify.latencies, 90) - percentile(pacedBaseline.latencies, 90)).toFixed(0)} ms; p50 − p50: ${(percentile(pacedVerify.latencies, 50) - percentile(pacedBaseline.latencies, 50)).toFixed(0)} ms`,
    );
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
