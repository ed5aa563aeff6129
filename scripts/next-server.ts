import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';

// What the scripts that run `next start` themselves share: the e2e servers (serve-e2e.ts), the
// CI production check (ci-production-check.ts) and the benchmarks (bench/bench-server.ts).

/** Waits until `url` answers 200 (redirects not followed), failing at once if the server exits. */
export async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`next start exited (${child.exitCode ?? child.signalCode})`);
    const answered = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(2000),
    }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`next start did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves when it has exited. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

/** Deletes every Redis key under `prefix` (a run's own key prefix). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      if ((cursor = next) === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}
