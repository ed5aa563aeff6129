import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DATABASE_URL_FILE, MAIN_PORT } from '../../playwright.config';
import { expect, test } from './support/test';
import { createDedicatedUser } from './support/dedicated-user';

// `PORT=… npm run dev` on a port other than 3000 with no APP_ORIGIN: the reset link in the email
// must point at the port the development server listens on (a link to :3000 would reach another
// app, or nothing). Runs the real `npm run dev` launcher (scripts/dev.ts) against the e2e
// database, in development mode, so the first page compiles on demand: hence the long timeouts.

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEV_PORT = MAIN_PORT + 9;
const origin = `http://localhost:${DEV_PORT}`;

let child: ChildProcess | undefined;
let output = '';

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const server = spawn(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['--conditions=react-server', 'scripts/dev.ts'],
    {
      cwd: ROOT,
      // Nothing from the shell (no APP_ORIGIN), as on a developer's fresh machine.
      env: {
        NODE_ENV: 'development',
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(DEV_PORT),
        DATABASE_URL: readFileSync(DATABASE_URL_FILE, 'utf8').trim(),
        AUTH_SECRET: 'dev-port-secret-0123456789-0123456789-0123',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000));
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  child = server;
  await expect
    .poll(
      () =>
        fetch(`${origin}/forgot-password`, { signal: AbortSignal.timeout(60_000) }).then(
          (r) => r.status,
          () => 0,
        ),
      { timeout: 200_000, intervals: [1000] },
    )
    .toBe(200);
});

test.afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});

test('in development, links in emails follow the port the server listens on', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  expect(output).toContain(`Latchkey      ${origin}`);
  const user = await createDedicatedUser('devport');
  const since = Date.now();
  await page.goto(`${origin}/forgot-password`, { timeout: 120_000 });
  await page.getByLabel('Username or email address').fill(user.username);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByText('we have sent a link')).toBeVisible({ timeout: 60_000 });

  type Message = { to: string; subject: string | null; body: string; sentAt: string };
  let body = '';
  await expect
    .poll(
      async () => {
        const messages = (await (
          await request.get(`${origin}/api/dev/outbox`, { timeout: 120_000 })
        ).json()) as Message[];
        const found = messages.find(
          (m) =>
            m.to === user.email &&
            m.subject === 'Reset your Latchkey password' &&
            new Date(m.sentAt).getTime() >= since - 1000,
        );
        body = found?.body ?? '';
        return body !== '';
      },
      { timeout: 120_000 },
    )
    .toBe(true);
  const link = new URL(/https?:\/\/\S+/.exec(body)![0]);
  expect(link.origin).toBe(origin);

  await page.goto(link.toString(), { timeout: 120_000 });
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible({
    timeout: 60_000,
  });
});
