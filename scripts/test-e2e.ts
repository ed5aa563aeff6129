import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// `npm run test:e2e`: builds the production app and runs Playwright in a system Chromium (never a
// downloaded one). On a machine without Chromium it says so and skips, except in CI, where a
// missing browser is a failure.

const candidates = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
const browser = candidates.find((p): p is string => !!p && existsSync(p));
if (!browser) {
  const message = 'No Chromium found (set CHROMIUM_PATH, or `apt-get install chromium`).';
  if (process.env.CI) {
    console.error(`e2e: ${message}`);
    process.exit(1);
  }
  console.log(`e2e: skipped. ${message}`);
  process.exit(0);
}

const env = { ...process.env, CHROMIUM_PATH: browser, NEXT_TELEMETRY_DISABLED: '1' };
const run = (cmd: string, args: string[], extra: Record<string, string> = {}) => {
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, ...extra } });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

// The build needs no secrets: configuration is checked when the server starts. `--reuse-build`
// keeps a build already made (CI builds once for its e2e runs).
const args = process.argv.slice(2);
const reuse = args.includes('--reuse-build') && existsSync('.next/BUILD_ID');
if (!reuse)
  run('node_modules/.bin/next', ['build'], { SKIP_ENV_VALIDATION: '1', NODE_ENV: 'production' });
run('node_modules/.bin/playwright', ['test', ...args.filter((arg) => arg !== '--reuse-build')]);
