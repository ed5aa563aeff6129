import { pathToFileURL } from 'node:url';
import {
  benchSignInGate,
  machineDescription,
  startBenchServer,
  type BenchServer,
} from './bench-server';
import { assertTrustedLoginWorks, loginLoad, statusCounts, successes } from './logins';
import { pendingCodes, type PendingCode } from './sign-in-state';
import { line, verifyLoad } from './verify';

// `npm run bench:overload` (P5): logins driven at twice the rate the server can sign people in,
// while code verifies run at a steady rate; verify p99 against its idle value (same rate, no
// logins) in the same run, and what happens to the excess logins: refused quickly (429/503) or
// queued (slow successes and timeouts). Goal: verify p99 ≤ 2× idle; excess refused quickly.
// Login capacity is measured first in the same run. Needs a production build; loopback; ~60 s.

const PORT = Number(process.env.BENCH_PORT ?? 3860);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const VERIFY_RATE = Number(process.env.BENCH_VERIFY_RATE ?? 5);
const GATE = benchSignInGate();
/** The capacity run's connections: 16, or fewer when the gate admits fewer (see benchSignInGate). */
const CAPACITY_CONNECTIONS = Math.min(16, GATE.admits);

export type OverloadFigures = {
  /** Logins signed in per second at capacity (closed loop, CAPACITY_CONNECTIONS). */
  capacity: number;
  /** Logins signed in per second while offered 2 × capacity. */
  served: number;
  offered: number;
  idleVerifyP99: number;
  loadedVerifyP99: number;
};

/**
 * P5 on a running server: capacity, then verifies alone, then the same verifies while logins are
 * offered at twice the capacity. Uses up about 3000 device tokens and 150 pending codes.
 */
export async function overloadRun(
  server: BenchServer,
  tokens: { username: string; token: string }[],
  codes: PendingCode[],
): Promise<OverloadFigures> {
  await loginLoad(server, tokens.splice(0, 100), { duration: 3 });
  await verifyLoad(server, codes.splice(0, 20), { amount: 20, connections: 5 });

  const capacityRun = await loginLoad(server, tokens.splice(0, 2500), {
    duration: 10,
    connections: CAPACITY_CONNECTIONS,
  });
  const capacity = successes(capacityRun) / 10;
  console.log(
    `login capacity (${CAPACITY_CONNECTIONS} connections, 10 s): ${capacity.toFixed(1)}/s, p50 ${capacityRun.latency.p50} ms (${statusCounts(capacityRun)})`,
  );

  const verifyOptions = { overallRate: VERIFY_RATE, connections: 50, duration: SECONDS };
  const idle = await verifyLoad(server, codes, verifyOptions);
  codes.splice(0, idle.used);
  console.log(`\nverifies at ${VERIFY_RATE}/s alone:`);
  console.log(line(idle, SECONDS));

  const offered = 2 * capacity;
  const logins = loginLoad(server, tokens, {
    overallRate: Math.max(1, Math.round(offered)),
    connections: 200,
    duration: SECONDS,
    timeout: 10,
  });
  const loaded = await verifyLoad(server, codes, verifyOptions);
  codes.splice(0, loaded.used);
  const loginResult = await logins;
  console.log(
    `\nthe same verifies while logins are offered at ${offered.toFixed(0)}/s (2 × capacity):`,
  );
  console.log(line(loaded, SECONDS));
  console.log(
    `verify p99 under overload / idle: ${(loaded.result.latency.p99 / idle.result.latency.p99).toFixed(1)}× (goal ≤ 2×)`,
  );

  const refused =
    (loginResult.statusCodeStats?.['429']?.count ?? 0) +
    (loginResult.statusCodeStats?.['503']?.count ?? 0);
  console.log(`\nlogins offered at ${offered.toFixed(0)}/s: ${statusCounts(loginResult)}`);
  console.log(
    `latency ms: p50 ${loginResult.latency.p50}, p99 ${loginResult.latency.p99}, max ${loginResult.latency.max}`,
  );
  const served = successes(loginResult) / SECONDS;
  console.log(
    `signed in ${served.toFixed(1)}/s; refused with 429/503: ${refused}; timed out (queued past 10 s): ${loginResult.timeouts}`,
  );
  // On a shared machine capacity moves with the neighbours' load; a run that served nearly
  // all it was offered was not an overload, whatever the capacity run said.
  if (served > 0.9 * offered)
    console.log(
      'NOT OVERLOADED: the server kept up with the offered rate (its capacity rose after it was measured); run again.',
    );
  return {
    capacity,
    served,
    offered,
    idleVerifyP99: idle.result.latency.p99,
    loadedVerifyP99: loaded.result.latency.p99,
  };
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(`sign-in gate: ${GATE.description}`);
  const server = await startBenchServer({ port: PORT, env: GATE.env });
  try {
    const users = await server.createUsers(100);
    const tokens = await server.createDeviceTokens(users, 150);
    const codes = await pendingCodes(
      server,
      users.map((u) => u.id),
      600,
    );
    await assertTrustedLoginWorks(server, tokens.shift()!);
    await overloadRun(server, tokens, codes);
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
