import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  benchSignInGate,
  machineDescription,
  startBenchServer,
  withCpuAccounting,
} from './bench-server';
import { assertTrustedLoginWorks, CONNECTIONS, loginLoad, statusCounts, successes } from './logins';
import { overloadRun } from './overload';
import {
  buildPeer,
  peerLoginLoad,
  peerVerifyLoad,
  startPeerServer,
  type PeerServer,
} from './peer-app';
import { pendingCodes } from './sign-in-state';
import { verifyLoad, type Run } from './verify';

// `npm run bench:peer`: Latchkey against its closest peer, Better Auth with its two-factor plugin
// (bench/peer/), on the same two workloads as `bench:logins` and `bench:verify`: a trusted
// browser's password step that ends in a session (same connections, same duration), and a correct
// fresh code on its own pending sign-in that ends in a session (50 connections). Both production
// builds under `next start`, the same PostgreSQL and Redis, run alternately (never both at once),
// each run started when the 1-minute load average is below 1.0 (waiting at most
// PEER_LOAD_WAIT_SECONDS, then going ahead with a warning). Latchkey's rounds also run the overload
// bench (bench/overload.ts) for the goodput figure. Prints min / median / max per figure, then
// the ratios of the medians. ~2.5 min per round, plus PEER_WARMUP_SECONDS of logins before each
// side's timed login run, plus the waits; builds first unless PEER_SKIP_BUILD=1.

const ROOT = path.resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.PEER_ROUNDS ?? 3);
/** PEER_ONLY=Latchkey|peer: that side's rounds alone, to study one (no ratios then). */
const ONLY = ((only) => {
  if (only === undefined) return undefined;
  if (only === 'Latchkey' || only === 'peer') return only;
  throw new Error(`PEER_ONLY is Latchkey or peer, not ${JSON.stringify(only)}`);
})(process.env.PEER_ONLY);
const LOAD_WAIT_SECONDS = Number(process.env.PEER_LOAD_WAIT_SECONDS ?? 300);
const QUIET_LOAD = 1.0;
const PORT = Number(process.env.BENCH_PORT ?? 3870);
const LOGIN_SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
/**
 * Logins before the timed login run, on each side. Three seconds left Latchkey's first 12 s run
 * at 25/s and 54 CPU ms a login, its next three at 30–33/s and 44–46 ms (the server warming up):
 * a long-running server is what the comparison is about. Each side gets the same.
 */
const WARMUP_SECONDS = Number(process.env.PEER_WARMUP_SECONDS ?? 15);
const VERIFY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const VERIFY_CONNECTIONS = 50;
/**
 * Pending sign-ins for the saturated verify run, which must not run out: up to ~500/s × 10 s (a
 * run on 2026-12-04 passed 300/s and stopped with "ran out of tickets" at the old 3,000).
 */
const VERIFY_STATE = Number(process.env.PEER_VERIFY_STATE ?? 5000);
const GATE = benchSignInGate();

type Figures = {
  'logins/s': number;
  'CPU ms per login': number;
  'verify p50 ms': number;
  'verify p99 ms': number;
  'verifies/s': number;
  'CPU ms per verify': number;
  'overload: login capacity/s'?: number;
  'overload: signed in/s at 2× capacity'?: number;
  'overload goodput %'?: number;
  /** Goal 3's other half: verifies stay within 2× their idle p99 while logins overload. */
  'overload: verify p99 ÷ idle'?: number;
};

/** The two workloads' figures from their timed runs (withCpuAccounting around each). */
function figures(
  login: { result: Run; cpu: Record<string, number>; wallSeconds: number },
  verify: { result: Run; cpu: Record<string, number>; wallSeconds: number },
): Figures {
  for (const run of [login, verify]) {
    const l = run.result.result.latency;
    console.log(
      `timed ${run.result.label} run: ${statusCounts(run.result.result)}; ${run.result.ok} sessions; latency ms p50 ${l.p50}, p99 ${l.p99}`,
    );
  }
  const latency = verify.result.result.latency;
  return {
    'logins/s': login.result.ok / login.wallSeconds,
    'CPU ms per login': (1000 * login.cpu['next start']!) / login.result.ok,
    'verify p50 ms': latency.p50,
    'verify p99 ms': latency.p99,
    'verifies/s': verify.result.ok / verify.wallSeconds,
    'CPU ms per verify': (1000 * verify.cpu['next start']!) / verify.result.ok,
  };
}

function mustSignIn(run: Run, what: string) {
  if (run.ok < 0.9 * (run.ok + run.notOk))
    throw new Error(`${what}: only ${run.ok} of ${run.ok + run.notOk} answers made a session`);
}

async function latchkeyRound(): Promise<Figures> {
  const server = await startBenchServer({ port: PORT, env: GATE.env, deadlineSeconds: 900 });
  try {
    const users = await server.createUsers(100);
    // The warm-up, the timed run (at most 3,000) and the overload run (about 2,600 plus twice
    // the capacity for 12 s: 2,200 at 90 logins a second) each take their own.
    const tokens = await server.createDeviceTokens(users, 130);
    // Their own users, 25 codes each: the product sends at most 30 codes an hour per account.
    // Beyond the timed run's VERIFY_STATE: the warm-up's 100, and the overload run's 20 plus three
    // phases of ~BENCH_VERIFY_RATE × BENCH_SECONDS (two idle, one loaded), ~380 at the defaults;
    // the other ~300 leave room for a longer or faster run.
    const spare = 800;
    const codeUsers = await server.createUsers(Math.ceil((VERIFY_STATE + spare) / 25));
    const codes = await pendingCodes(
      server,
      codeUsers.map((u) => u.id),
      VERIFY_STATE + spare,
    );
    await assertTrustedLoginWorks(server, tokens.shift()!);
    await loginLoad(server, tokens.splice(0, 100 * WARMUP_SECONDS), { duration: WARMUP_SECONDS });
    const login = await withCpuAccounting(server, async () => {
      const result = await loginLoad(server, tokens.splice(0, 3000), { duration: LOGIN_SECONDS });
      return { label: 'login', result, ok: successes(result), notOk: 0, used: 0 } as Run;
    });
    const warm = await verifyLoad(server, codes.splice(0, 100), { amount: 100, connections: 10 });
    mustSignIn(warm, 'Latchkey verify warm-up');
    const verify = await withCpuAccounting(server, () =>
      verifyLoad(server, codes.splice(0, VERIFY_STATE), {
        connections: VERIFY_CONNECTIONS,
        duration: VERIFY_SECONDS,
      }),
    );
    const overload = await overloadRun(server, tokens, codes);
    return {
      ...figures(login, verify),
      'overload: login capacity/s': overload.capacity,
      'overload: signed in/s at 2× capacity': overload.served,
      'overload goodput %': (100 * overload.served) / overload.capacity,
      'overload: verify p99 ÷ idle': overload.loadedVerifyP99 / overload.idleVerifyP99,
    };
  } finally {
    await server.stop();
  }
}

async function peerRound(): Promise<Figures> {
  const server: PeerServer = await startPeerServer(PORT + 1);
  try {
    const users = await server.createUsers(100);
    const devices = await server.trustedDevices(users, 55);
    const codes = await server.pendingCodes(users, VERIFY_STATE + 100);
    const first = await peerLoginLoad(server, devices.splice(0, 1), { amount: 1, connections: 1 });
    mustSignIn(first, 'peer trusted login');
    mustSignIn(
      await peerLoginLoad(server, devices.splice(0, 100 * WARMUP_SECONDS), {
        duration: WARMUP_SECONDS,
        connections: CONNECTIONS,
      }),
      'peer login warm-up',
    );
    const login = await withCpuAccounting(server, () =>
      peerLoginLoad(server, devices.splice(0, 3700), {
        duration: LOGIN_SECONDS,
        connections: CONNECTIONS,
      }),
    );
    const warm = await peerVerifyLoad(server, codes.splice(0, 100), {
      amount: 100,
      connections: 10,
    });
    mustSignIn(warm, 'peer verify warm-up');
    const verify = await withCpuAccounting(server, () =>
      peerVerifyLoad(server, codes, {
        connections: VERIFY_CONNECTIONS,
        duration: VERIFY_SECONDS,
      }),
    );
    return figures(login, verify);
  } finally {
    await server.stop();
  }
}

/** Waits until the 1-minute load average is below 1.0, at most LOAD_WAIT_SECONDS; true if it was. */
async function waitForQuiet(next: string): Promise<boolean> {
  const until = Date.now() + LOAD_WAIT_SECONDS * 1000;
  while (os.loadavg()[0]! >= QUIET_LOAD) {
    if (Date.now() >= until) {
      console.log(
        `WARNING: load average still ${os.loadavg()[0]!.toFixed(2)} after ${LOAD_WAIT_SECONDS} s; running ${next} anyway`,
      );
      return false;
    }
    await sleep(5000);
  }
  return true;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? '—' : n >= 100 ? n.toFixed(0) : n.toFixed(1);

function spread(values: number[]): string {
  if (!values.length) return '—';
  return `${fmt(Math.min(...values))} / ${fmt(median(values))} / ${fmt(Math.max(...values))}`;
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['next', 'build'], {
      cwd: ROOT,
      env: { ...process.env, SKIP_ENV_VALIDATION: '1', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`next build exited ${code}`)),
    );
  });
}

async function main() {
  const started = performance.now();
  console.log(`machine: ${machineDescription()}`);
  console.log(
    `rounds: ${ROUNDS}; logins: ${CONNECTIONS} connections, ${LOGIN_SECONDS} s; verify: ${VERIFY_CONNECTIONS} connections, ${VERIFY_SECONDS} s; Latchkey's sign-in gate: ${GATE.description}`,
  );
  if (process.env.PEER_SKIP_BUILD !== '1') {
    console.log('building Latchkey and the peer (production builds) …');
    if (ONLY !== 'peer') await build();
    if (ONLY !== 'Latchkey') await buildPeer();
  }
  const results: Record<'Latchkey' | 'peer', Figures[]> = { Latchkey: [], peer: [] };
  let busyStarts = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so that neither always follows the other's heat.
    const order = round % 2 ? (['Latchkey', 'peer'] as const) : (['peer', 'Latchkey'] as const);
    for (const app of order.filter((one) => ONLY === undefined || one === ONLY)) {
      const label = `${app}, round ${round} of ${ROUNDS}`;
      if (!(await waitForQuiet(label))) busyStarts += 1;
      console.log(`\n=== ${label} (load average ${os.loadavg()[0]!.toFixed(2)})`);
      const result = app === 'Latchkey' ? await latchkeyRound() : await peerRound();
      results[app].push(result);
      console.log(
        Object.entries(result)
          .map(([name, value]) => `${name} ${fmt(value)}`)
          .join('; '),
      );
    }
  }

  const names = Object.keys(results.Latchkey[0] ?? results.peer[0]!) as (keyof Figures)[];
  const at = (app: 'Latchkey' | 'peer', name: keyof Figures) =>
    results[app].map((f) => f[name]).filter((v): v is number => v !== undefined);
  console.log(`\nmin / median / max over ${ROUNDS} rounds (${machineDescription()}):`);
  console.log(`${'figure'.padEnd(38)}${'Latchkey'.padEnd(22)}${'peer'.padEnd(22)}Latchkey ÷ peer`);
  for (const name of names) {
    const peer = at('peer', name);
    const ours = at('Latchkey', name);
    const ratio = peer.length && ours.length ? (median(ours) / median(peer)).toFixed(2) : '';
    console.log(`${name.padEnd(38)}${spread(ours).padEnd(22)}${spread(peer).padEnd(22)}${ratio}`);
  }
  if (busyStarts)
    console.log(
      `WARNING: ${busyStarts} of ${(ONLY ? 1 : 2) * ROUNDS} runs started with the load average ≥ ${QUIET_LOAD}.`,
    );
  console.log(`total time: ${((performance.now() - started) / 60_000).toFixed(1)} min`);
  if (ONLY) return;
  const ratio = (name: keyof Figures) =>
    (median(at('Latchkey', name)) / median(at('peer', name))).toFixed(2);
  console.log(
    `peer: logins/s ratio ${ratio('logins/s')}, verify p99 ratio ${ratio('verify p99 ms')}, overload goodput ${median(at('Latchkey', 'overload goodput %')).toFixed(0)} %`,
  );
}

await main();
