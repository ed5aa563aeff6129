import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { OUTBOX_ENV } from '../../../playwright.config';

// One more `next start` of the already-built app, with its own environment, for states the shared
// e2e servers must never be in (a dead Redis, a dead database). Started and stopped by the spec
// that needs it, so the other specs keep healthy servers.

const ROOT = path.resolve(import.meta.dirname, '../../..');
const READY_TIMEOUT_MS = 60_000;

export type ExtraServer = { baseURL: string; stop(): Promise<void> };

export async function startExtraServer(
  port: number,
  env: Record<string, string>,
): Promise<ExtraServer> {
  const baseURL = `http://127.0.0.1:${port}`;
  // A clean environment: nothing from the caller's shell (a REDIS_URL, a real Postmark token) leaks in.
  const child: ChildProcess = spawn(
    path.join(ROOT, 'node_modules/.bin/next'),
    ['start', '--port', String(port)],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        APP_ORIGIN: baseURL,
        AUTH_SECRET: 'extra-server-secret-0123456789-0123456789',
        ...OUTBOX_ENV,
        // As the shared e2e servers: X-Forwarded-For is what one proxy in front of us saw.
        TRUSTED_PROXY_HOPS: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    const answered = await fetch(`${baseURL}/login`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(2000),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (answered) return { baseURL, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`next start on port ${port} did not come up:\n${output}`);
}
