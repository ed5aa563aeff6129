import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from './support/test';
import { totpAt } from '@/lib/factors/totp';
import { MAIN_PORT } from '../../playwright.config';
import { sql } from './support/database';
import { startExtraServer } from './support/extra-server';
import { latestFreshCode } from './support/admin-fresh-code';
import { createOwnUser, latestCode, passwordStep, signInOwnUser } from './support/own-user';
import { expectNoAxeViolations } from './support/sign-in';

// Every page in a browser whose system is set to dark (decision 0022): the page really is dark
// (its background and text, as painted), and axe finds nothing, contrast included. The other
// specs run the same pages in the light scheme.

test.use({ colorScheme: 'dark' });

/** WCAG relative luminance (0 black … 1 white) of the page's background and text colours. */
async function pageLuminance(page: Page) {
  return page.evaluate(() => {
    // The computed colours may be oklch(): a canvas turns any CSS colour into sRGB bytes.
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    const luminance = (colour: string) => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = colour;
      context.fillRect(0, 0, 1, 1);
      const [r, g, b] = [...context.getImageData(0, 0, 1, 1).data].map((byte) => {
        const c = byte / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return Math.round((0.2126 * r + 0.7152 * g + 0.0722 * b) * 1000) / 1000;
    };
    const body = getComputedStyle(document.body);
    return {
      background: luminance(body.backgroundColor),
      text: luminance(body.color),
      scheme: getComputedStyle(document.documentElement).colorScheme,
    };
  });
}

async function expectDarkPage(page: Page) {
  await expectNoAxeViolations(page);
  const painted = await pageLuminance(page);
  expect(painted.background, `background of ${page.url()}`).toBeLessThan(0.05);
  expect(painted.text, `text of ${page.url()}`).toBeGreaterThan(0.7);
  // Native controls, scrollbars and autofill follow only with this.
  expect(painted.scheme).toBe('light dark');
}

async function visit(page: Page, path: string) {
  await page.goto(path);
  await expectDarkPage(page);
}

test('the light scheme stays light (the measure below tells the two apart)', async ({
  browser,
}) => {
  const context = await browser.newContext({ colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto('/login');
  const painted = await pageLuminance(page);
  expect(painted.background).toBeGreaterThan(0.9);
  expect(painted.text).toBeLessThan(0.05);
  await context.close();
});

test('dark: the sign-in steps, with their error messages, and the pages outside a session', async ({
  page,
  allowConsole,
}) => {
  // The not-found page answers 404 on purpose, which the browser logs.
  allowConsole(/status of 404 \(Not Found\) \(http:\/\/[^/]+\/no-such-page\)/);
  const user = await createOwnUser('dark-steps');
  await visit(page, '/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'is incorrect' })).toBeVisible();
  await expectDarkPage(page);

  await passwordStep(page, user);
  await expectDarkPage(page);
  const since = new Date();
  await page.getByRole('radio', { name: /^Email/ }).check();
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/verify/);
  await expectDarkPage(page);
  const code = await latestCode(user.email, since);
  await page.getByLabel('Security code').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not right' })).toBeVisible();
  await expectDarkPage(page);
  await page.getByLabel('Security code').fill(code);
  await page.getByLabel("Don't require OTP on this browser").check();
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/login\/device$/);
  await expectDarkPage(page);
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  await expectDarkPage(page);

  await page.context().clearCookies();
  await visit(page, '/forgot-password');
  await visit(page, '/reset-password');
  await visit(page, `/invite/${'A'.repeat(43)}`);
  expect((await page.goto('/no-such-page'))?.status()).toBe(404);
  await expectDarkPage(page);
});

test('dark: the account pages, two-step sign-in with an app and backup codes, and the factor steps', async ({
  page,
}) => {
  const user = await createOwnUser('dark-account');
  await signInOwnUser(page, user);
  for (const path of [
    '/account',
    '/account/profile',
    '/account/password',
    '/account/sessions',
    '/account/trusted-devices',
    '/account/two-step',
  ])
    await visit(page, path);

  const since = new Date();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await expect(page).toHaveURL(/fresh=sent/);
  await expectDarkPage(page);
  await page.getByLabel('Security code').fill(await latestFreshCode(user.email, since));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await expectDarkPage(page);
  const secret = (await page.getByTestId('app-secret').textContent())!.trim();
  await page.getByLabel('Security code').fill(totpAt(secret, Date.now()));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Make backup codes' }).click();
  await expect(page.getByTestId('backup-codes')).toBeVisible();
  await expectDarkPage(page);

  // A stored passkey is enough for the sign-in to offer it.
  await sql(
    `INSERT INTO "Passkey" (id, "userId", "publicKey", name) VALUES ($1, $2, $3, 'Old phone')`,
    [randomBytes(16).toString('base64url'), user.id, randomBytes(77)],
  );
  await passwordStep(page, user);
  await expectDarkPage(page);
  await visit(page, '/login/passkey');
  await visit(page, '/login/app');
  await visit(page, '/login/backup-code');
});

test('dark: an admin made to set up an app inside the sign-in', async ({ page }) => {
  const admin = await createOwnUser('dark-enrol', { role: 'admin' });
  await sql(`UPDATE "User" SET phone = NULL WHERE id = $1`, [admin.id]);
  await passwordStep(page, admin);
  const since = new Date();
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/verify/);
  await page.getByLabel('Security code').fill(await latestCode(admin.email, since));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/login\/enrol$/);
  await expectDarkPage(page);
});

test('dark: the admin pages and the outbox', async ({ page }) => {
  const admin = await createOwnUser('dark-admin', { role: 'admin' });
  await signInOwnUser(page, admin);
  for (const path of [
    '/admin',
    '/admin/users',
    '/admin/users/new',
    `/admin/users/${admin.id}`,
    '/admin/users/upload',
    '/admin/users/uploads',
    '/admin/audit',
    '/dev/outbox',
  ])
    await visit(page, path);
});

test('dark: the error page, on a server of its own whose database is down', async ({
  browser,
  allowConsole,
}) => {
  // As in the AV-01 test of hardening.spec.ts: the 500 is logged by the browser, and React logs
  // the server error its boundary caught (#441).
  allowConsole(/status of 500 \(Internal Server Error\) \(http:\/\/[^/]+\/invite\//);
  allowConsole(/Minified React error #441\b/);
  const server = await startExtraServer(MAIN_PORT + 7, {
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
    MEMORY_STORE: '1',
  });
  const context = await browser.newContext({ baseURL: server.baseURL, colorScheme: 'dark' });
  try {
    const page = await context.newPage();
    expect((await page.goto(`/invite/${'A'.repeat(43)}`))?.status()).toBe(500);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Try again shortly');
    await expectDarkPage(page);
  } finally {
    await context.close();
    await server.stop();
  }
});
