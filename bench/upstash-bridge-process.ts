import { spawn } from 'node:child_process';
import path from 'node:path';

// The Upstash bridge (tests/support/upstash-bridge.ts) in a process of its own, as Upstash is a
// service of its own on a deployment. In the load generator's process it shared one event loop
// with hundreds of autocannon connections, and every "Upstash" round trip of the server under
// test waited behind them: a tail that a peer talking to Redis directly does not have.
// The child prints one JSON line with the bridge's address and token, and a second address that
// answers how many HTTP requests (round trips) the bridge has served so far.

export type BridgeProcess = {
  url: string;
  token: string;
  /** The child's process id, for CPU accounting. */
  pid: number;
  /** HTTP requests the bridge has served so far (authorised, with a body it could read). */
  requests(): Promise<number>;
  stop(): void;
};

const CHILD = `
import http from 'node:http';
const { startUpstashBridge } = await import('./tests/support/upstash-bridge.ts');
const bridge = await startUpstashBridge({ redisUrl: process.env.BRIDGE_REDIS_URL });
const stats = http.createServer((_, res) => res.end(String(bridge.stats.requests)));
stats.listen(0, '127.0.0.1', () => {
  const statsUrl = 'http://127.0.0.1:' + stats.address().port;
  console.log(JSON.stringify({ url: bridge.url, token: bridge.token, statsUrl }));
});
process.stdin.on('end', () => process.exit(0)).resume();
`;

export async function startBridgeProcess(redisUrl: string): Promise<BridgeProcess> {
  const root = path.resolve(import.meta.dirname, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: root,
    env: { ...process.env, BRIDGE_REDIS_URL: redisUrl },
    // stdin stays open as a lifeline: the child ends when this process does, however it ends.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stopping = false;
  const stop = () => {
    stopping = true;
    if (child.exitCode === null) child.kill();
  };
  process.once('exit', stop);
  let started = false;
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('Upstash bridge process did not start within 30 s'));
    }, 30_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]!);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      // After start-up, an exit nobody asked for shows as errors of the app under test: say why.
      if (started && !stopping) console.error(`[bench] the Upstash bridge exited (${code})`);
      reject(new Error(`Upstash bridge process exited with ${code}`));
    });
  });
  started = true;
  const { url, token, statsUrl } = JSON.parse(first) as {
    url: string;
    token: string;
    statsUrl: string;
  };
  return {
    url,
    token,
    pid: child.pid!,
    requests: async () => Number(await (await fetch(statsUrl)).text()),
    stop,
  };
}
