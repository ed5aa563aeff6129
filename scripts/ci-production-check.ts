import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { DEMO_PASSWORD, seedDemoUsers } from '../prisma/seed';
import { startFakePostmark, type FakePostmark } from '../tests/support/fake-postmark';
import { startFakeTwilio, type FakeTwilio } from '../tests/support/fake-twilio';
import { startUpstashBridge } from '../tests/support/upstash-bridge';
import { applyMigrations } from './db/apply-migrations';
import { createScratchDatabase, type ScratchDatabase } from './db/scratch-database';
import { deleteKeys, stopProcess, waitUntilAnswering } from './next-server';

// `npm run ci:production-check [-- --reuse-build]`: the production build as a deployment runs it.
//
// 1. `next build` with no configuration at all (SKIP_ENV_VALIDATION=1), unless --reuse-build
//    finds one already made (CI's e2e step builds the same way just before).
// 2. `next start` with nothing configured must exit at once, naming the missing variables.
// 3. `next start` with production settings against the machine's PostgreSQL (a fresh, migrated,
//    seeded database) and Redis (through the Upstash bridge, a fresh key prefix), the outbox off,
//    and the real Postmark and Twilio adapters pointed at local fakes that check every request.
// 4. In Debian's Chromium: a wrong password refused; sign in by SMS trusting the browser
//    (new-device email), by email, then password-only on the trusted browser, all through the
//    password-step worker threads (decision 0032); the cron clean-up refuses a caller without
//    CRON_SECRET and runs with it; the outbox routes answer 404. Every captured provider request
//    must conform (OTP-12).
//
// Exits non-zero on any failure and removes what it made. DATABASE_URL and REDIS_URL name the
// servers (default: the CI machine's 127.0.0.1:5432 and :6379); CHECK_PORT the port (3850).

const ROOT = path.resolve(import.meta.dirname, '..');
const NEXT = path.join(ROOT, 'node_modules/.bin/next');
const PORT = Number(process.env.CHECK_PORT ?? 3850);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const SERVER_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
const DEADLINE_MS = 5 * 60_000;
// Nothing of the caller's configuration reaches the app: only what a bare machine has.
const BARE_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  NEXT_TELEMETRY_DISABLED: '1',
};

const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
const step = (text: string) => console.log(`\n[production-check] ${text}`);
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const deadline = setTimeout(() => {
  console.error(`[production-check] FAILED: not done within ${DEADLINE_MS / 1000}s`);
  void cleanUp().finally(() => process.exit(1));
}, DEADLINE_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void cleanUp().finally(() => process.exit(1)));

try {
  build();
  await startWithoutConfigurationFails();
  const app = await startConfigured();
  await signInJourneys(app);
  await cronCleanup(app.cronSecret);
  await outboxClosed();
  assertProviderRequests(app.postmark, app.twilio);
  step('PASSED');
  await cleanUp();
  clearTimeout(deadline);
} catch (error) {
  console.error(`\n[production-check] FAILED: ${error instanceof Error ? error.stack : error}`);
  await cleanUp();
  process.exit(1);
}

function build() {
  if (process.argv.includes('--reuse-build') && existsSync(path.join(ROOT, '.next/BUILD_ID'))) {
    step('reusing the existing production build (.next/BUILD_ID)');
    return;
  }
  step('next build with no configuration (SKIP_ENV_VALIDATION=1)');
  const result = spawnSync(NEXT, ['build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...BARE_ENV, NODE_ENV: 'production', SKIP_ENV_VALIDATION: '1' },
  });
  check(result.status === 0, `next build exited with ${result.status ?? result.signal}`);
}

async function startWithoutConfigurationFails() {
  step('next start with nothing configured must stop at once, naming what is missing');
  const child = spawn(NEXT, ['start', '--port', String(PORT)], {
    cwd: ROOT,
    env: { ...BARE_ENV, NODE_ENV: 'production' },
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = await new Promise<number | string | null>((resolve) => {
    const timer = setTimeout(
      () => (child.kill('SIGKILL'), resolve('still running after 30 s')),
      30_000,
    );
    child.on('exit', (code, signal) => (clearTimeout(timer), resolve(code ?? signal)));
  });
  check(
    exit !== 0 && exit !== 'still running after 30 s',
    `next start without configuration did not fail (${exit}):\n${output}`,
  );
  for (const name of ['DATABASE_URL', 'AUTH_SECRET'])
    check(output.includes(name), `the start-up error does not name ${name}:\n${output}`);
  console.log(`exited with ${exit}; the error names DATABASE_URL and AUTH_SECRET`);
}

async function startConfigured() {
  step(
    `fresh database on ${redactUrl(SERVER_URL)}, Redis ${REDIS_URL} through the Upstash bridge, provider fakes`,
  );
  const database: ScratchDatabase = await createScratchDatabase(SERVER_URL, 'latchkey_prodcheck');
  cleanups.push(() => database.drop());
  await applyMigrations(database.url);
  await seedDemoUsers(database.url, { reset: true });

  const prefix = `latchkey-prodcheck:${process.pid}-${randomBytes(4).toString('hex')}:`;
  const bridge = await startUpstashBridge({ redisUrl: REDIS_URL });
  cleanups.push(() => bridge.close());
  cleanups.push(() => deleteKeys(REDIS_URL, prefix));
  const postmark = await startFakePostmark();
  cleanups.push(() => postmark.close());
  const twilio = await startFakeTwilio();
  cleanups.push(() => twilio.close());
  const cronSecret = randomBytes(24).toString('base64url');

  step(`next start on ${ORIGIN} with production settings`);
  const env: NodeJS.ProcessEnv = {
    ...BARE_ENV,
    NODE_ENV: 'production',
    PORT: String(PORT),
    DATABASE_URL: database.url,
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    APP_ORIGIN: ORIGIN,
    // Production refuses a plain-HTTP origin; this local check has no certificate (lib/env.ts).
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
    CRON_SECRET: cronSecret,
  };
  const server = spawn(NEXT, ['start', '--port', String(PORT)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Shown as it comes, and kept: the check reads what the server said about itself.
  let output = '';
  server.stdout!.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString();
  });
  cleanups.push(() => stopProcess(server));
  await waitUntilAnswering(`${ORIGIN}/login`, server);
  return { postmark, twilio, cronSecret, serverOutput: () => output };
}

async function signInJourneys(app: {
  postmark: FakePostmark;
  twilio: FakeTwilio;
  serverOutput: () => string;
}) {
  step('sign-in journeys in Chromium');
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ baseURL: ORIGIN });
  const errors: string[] = [];
  // The app has no favicon; the browser's own request for one is not the app's error.
  page.on(
    'console',
    (message) =>
      message.type() === 'error' &&
      !message.location().url.endsWith('/favicon.ico') &&
      errors.push(`${message.text()} (${message.location().url})`),
  );
  page.on('pageerror', (error) => errors.push(String(error)));

  // 0. A wrong password: the one refusal, on the form.
  await password(page, 'demo', 'not the password');
  await page.getByText('The username or password is incorrect.').waitFor({ timeout: 15_000 });
  await expectPath(page, '/login');

  // 1. SMS code (Twilio), trusting this browser: the device step, then the new-device email.
  await password(page, 'demo');
  await expectPath(page, '/login/method');
  await page.getByRole('radio', { name: /^SMS/ }).check();
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expectPath(page, '/login/verify');
  const sms = await waitFor(
    () =>
      app.twilio.requests.find((r) => r.resource === 'Messages' && r.form.To === '+14155550101'),
    'an SMS request to Twilio',
  );
  const smsCode = /#(\d{6})\s*$/.exec(String(sms.form.Body))?.[1];
  check(smsCode, `no code at the end of the SMS body: ${sms.form.Body}`);
  await page.getByLabel('Security code').fill(smsCode);
  await page.getByLabel("Don't require OTP on this browser").check();
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectPath(page, '/login/device');
  await page.getByLabel('Device name').fill('Production check');
  await page.getByRole('button', { name: 'Login' }).click();
  await signedInAs(page, 'demo');
  await waitFor(
    () =>
      app.postmark.requests.find(
        (r) => (r.body as { To?: string } | undefined)?.To === 'demo@example.com',
      ),
    'the new-device email to Postmark',
  );
  const cookies = await page.context().cookies();
  for (const name of ['latchkey.session', 'latchkey.device']) {
    const cookie = cookies.find((c) => c.name === name);
    check(
      cookie?.httpOnly && cookie.sameSite === 'Lax' && cookie.path === '/',
      `cookie ${name} missing or without HttpOnly, SameSite=Lax, Path=/`,
    );
  }
  console.log('SMS code and trusted browser: signed in as demo');
  await signOut(page);

  // 2. Email code (Postmark), for an account without a phone.
  await password(page, 'demo-email');
  await expectPath(page, '/login/method');
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expectPath(page, '/login/verify');
  const email = await waitFor(
    () =>
      app.postmark.requests.find(
        (r) => (r.body as { To?: string } | undefined)?.To === 'demo-email@example.com',
      ),
    'a code email to Postmark',
  );
  const emailCode = /\b(\d{6})\b/.exec(String((email.body as { TextBody?: string }).TextBody))?.[1];
  check(emailCode, 'no 6-digit code in the email');
  await page.getByLabel('Security code').fill(emailCode);
  await page.getByRole('button', { name: 'Verify' }).click();
  await signedInAs(page, 'demo-email');
  console.log('email code: signed in as demo-email');
  await signOut(page);

  // 3. The trusted browser: password only, no code sent.
  const smsBefore = app.twilio.requests.length;
  const emailsBefore = app.postmark.requests.length;
  await password(page, 'demo');
  await signedInAs(page, 'demo');
  check(
    app.twilio.requests.length === smsBefore && app.postmark.requests.length === emailsBefore,
    'a code was sent to a trusted browser',
  );
  console.log('trusted browser: signed in as demo with the password alone');
  // A production server with Upstash runs its password steps in worker threads (decision 0032);
  // the server says so when a worker first answers, and falls back to this thread only with a
  // line of its own.
  check(
    /password steps run in worker threads/.test(app.serverOutput()) &&
      !/password steps now run on the request thread/.test(app.serverOutput()),
    'the server did not run its password steps in worker threads (SIGN_IN_THREAD=auto)',
  );
  // …and takes its requests in turn (decision 0035): the admission says so when the first request
  // passes through it, so this fails if Node.js or Next.js stopped handing requests to it.
  check(
    /request admission: requests are taken in turn, at most \d+ in the app at once/.test(
      app.serverOutput(),
    ),
    'the server did not take its requests through the request admission (REQUEST_CONCURRENCY)',
  );
  check(errors.length === 0, `the browser logged errors:\n${errors.join('\n')}`);
}

async function cronCleanup(secret: string) {
  step('cron clean-up: refused without CRON_SECRET, runs with it');
  const denied = await fetch(`${ORIGIN}/api/cron/cleanup`);
  check(denied.status === 401, `/api/cron/cleanup without a token answered ${denied.status}`);
  const ran = await fetch(`${ORIGIN}/api/cron/cleanup`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  const body = (await ran.json()) as { ok?: boolean };
  check(
    ran.status === 200 && body.ok === true,
    `/api/cron/cleanup with the token answered ${ran.status} ${JSON.stringify(body)}`,
  );
  console.log(JSON.stringify(body));
}

async function outboxClosed() {
  step('the outbox is off: /dev/outbox and /api/dev/outbox answer 404 (decision 0018)');
  for (const route of ['/dev/outbox', '/api/dev/outbox']) {
    const answer = await fetch(`${ORIGIN}${route}`, { redirect: 'manual' });
    check(answer.status === 404, `${route} answered ${answer.status}`);
  }
}

function assertProviderRequests(postmark: FakePostmark, twilio: FakeTwilio) {
  step('every provider request conformed (OTP-12)');
  const all = [
    ...postmark.requests.map((r) => ({ to: 'Postmark', ...r })),
    ...twilio.requests.map((r) => ({ to: 'Twilio', ...r })),
  ];
  for (const r of all)
    console.log(
      `${r.to} ${r.method} ${r.path} → ${r.status}${r.conforms ? '' : ` VIOLATIONS: ${r.violations.join('; ')}`}`,
    );
  check(
    postmark.requests.length >= 2 && twilio.requests.length >= 1,
    'expected at least 2 Postmark and 1 Twilio requests',
  );
  check(
    all.every((r) => r.conforms && r.status < 300),
    'a provider request did not conform or was refused',
  );
  const validity = Number(twilio.requests[0]!.form.ValidityPeriod);
  check(
    validity > 0 && validity <= 600,
    `the SMS carries no ValidityPeriod within the code lifetime (OTP-11): ${validity}`,
  );
  if (!twilio.schemaChecked)
    console.log(
      'note: ../shared/testdata is absent, Twilio requests were checked by the hand-written rules only',
    );
}

async function password(page: Page, username: string, typed = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(typed);
  await page.getByRole('button', { name: 'Sign In' }).click();
}

async function signedInAs(page: Page, username: string) {
  await page
    .getByTestId('signed-in-user')
    .filter({ hasText: username })
    .waitFor({ timeout: 15_000 });
  await expectPath(page, '/account');
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/, { timeout: 15_000 });
}

async function expectPath(page: Page, pathname: string) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout: 15_000 });
}

async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const undo of cleanups.reverse())
      await undo().catch((error: unknown) =>
        console.error('[production-check] cleanup step failed:', error),
      );
  })();
  return cleaning;
}

function redactUrl(url: string) {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}
