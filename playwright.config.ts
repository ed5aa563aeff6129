import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

// End-to-end tests run the production build (`next build`, then `next start` through
// scripts/serve-e2e.ts) in Debian's Chromium, with codes read from the outbox. Two servers share
// one database: the main one, and one with a short code lifetime for the expiry test.
export const MAIN_PORT = Number(process.env.E2E_PORT ?? 3100);
export const SHORT_TTL_PORT = MAIN_PORT + 1;
export const SHORT_TTL_SECONDS = 10;
/**
 * The servers run `next start` (production mode) as a preview with the outbox on, which only a
 * request carrying this token (or an admin's session) may read (decision 0018). A fresh one per
 * run: set here, in the runner, before the workers start, so they inherit it from process.env.
 */
export const OUTBOX_TOKEN = (process.env.E2E_OUTBOX_TOKEN ||=
  randomBytes(32).toString('base64url'));
export const OUTBOX_TOKEN_HEADER = 'x-outbox-token';
/** What every e2e server needs to start with the outbox on under `next start`. */
export const OUTBOX_ENV = { OUTBOX_ENABLED: '1', DEPLOYMENT_STAGE: 'preview', OUTBOX_TOKEN };
/** Where scripts/serve-e2e.ts writes the e2e database's URL for fixtures that need it. */
export const DATABASE_URL_FILE = path.resolve(import.meta.dirname, '.data/e2e-database-url');
/** The servers' AUTH_SECRET: a spec that seeds keyed values (audit typed names) needs it. */
export const E2E_AUTH_SECRET = 'e2e-secret-0123456789-0123456789-0123456789';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

const servers = [
  { port: MAIN_PORT, env: { APP_ORIGIN: `http://127.0.0.1:${MAIN_PORT}` } },
  {
    port: SHORT_TTL_PORT,
    env: {
      APP_ORIGIN: `http://127.0.0.1:${SHORT_TTL_PORT}`,
      OTP_TTL_SECONDS: String(SHORT_TTL_SECONDS),
    },
  },
];

export default defineConfig({
  testDir: 'tests/e2e',
  // screenshots.spec.ts only regenerates the README's pictures (`npm run screenshots`).
  testIgnore: process.env.SCREENSHOTS ? [] : ['**/screenshots.spec.ts'],
  // One worker: the journeys share demo accounts and the outbox, and the machine has two cores.
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: `http://127.0.0.1:${MAIN_PORT}`,
    // Every page and API request of the suite may read the outbox (the fixtures read codes there);
    // tests/e2e/outbox-access.spec.ts takes the header away to show what anyone else gets.
    extraHTTPHeaders: { [OUTBOX_TOKEN_HEADER]: OUTBOX_TOKEN },
    // The browser is not where the server is: another zone and language than the server's UTC and
    // English, so text that a client component formats differently from the server shows up as a
    // hydration mismatch (which the console guard fails), as it would for most real admins.
    timezoneId: 'America/Los_Angeles',
    locale: 'de-DE',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: chromiumArgs,
        },
      },
    },
  ],
  webServer: {
    command: 'node_modules/.bin/tsx --conditions=react-server scripts/serve-e2e.ts',
    wait: { stdout: /^ready all$/m },
    timeout: 180_000,
    reuseExistingServer: false,
    // SIGTERM lets scripts/serve-e2e.ts stop its servers and drop what it made (a scratch database
    // and Redis keys on a server); Playwright's default is SIGKILL, which left them behind.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      E2E_SERVERS: JSON.stringify(servers),
      E2E_DATABASE_URL_FILE: DATABASE_URL_FILE,
      AUTH_SECRET: E2E_AUTH_SECRET,
      ...OUTBOX_ENV,
      MEMORY_STORE: '1',
      OTP_RESEND_COOLDOWN_SECONDS: '0',
      // Tests stand in for one proxy in front of the app: a spec that sends X-Forwarded-For plays
      // the address that proxy saw (docs/decisions/0017-client-address.md); without the header,
      // `next start` puts in the socket's own address, 127.0.0.1.
      TRUSTED_PROXY_HOPS: '1',
      NEXT_TELEMETRY_DISABLED: '1',
    },
  },
});
