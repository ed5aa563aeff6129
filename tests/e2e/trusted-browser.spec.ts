import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './support/test';
import { parseDeviceName } from '../../lib/devices/device-name';
import {
  expectNoAxeViolations,
  passwordAndCode,
  signInExpecting,
  signInWithCode,
  signOut,
} from './support/sign-in';
import { sql } from './support/database';

// "Don't require OTP on this browser": the box on the code page, naming the device, the device on
// My Trusted Devices, and deleting it. Each test has a fresh browser context, so each starts with
// no trusted-device cookie.

const deviceCookie = async (context: import('@playwright/test').BrowserContext) =>
  (await context.cookies()).find((c) => c.name.endsWith('latchkey.device'));

test('TD-08 ticking the box asks for a device name prefilled from the browser, then skips the code next time', async ({
  page,
  request,
  baseURL,
  context,
}) => {
  await signInWithCode(page, request, baseURL!, 'demo', {});
  const cookie = await deviceCookie(context);
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');
  expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const [row] = (
    await sql(
      `SELECT d.name FROM "TrustedDevice" d JOIN "User" u ON u.id = d."userId" WHERE u.username = 'demo' ORDER BY d."createdAt" DESC LIMIT 1`,
    )
  ).rows;
  // The Desktop Chrome profile's user agent is Chrome on Windows.
  expect(row.name).toBe('Chrome on Windows');

  await signOut(page);
  await signInExpecting(page, 'demo', 'account');
});

test('without the tick there is no device step and the next sign-in asks for a code', async ({
  page,
  request,
  baseURL,
  context,
}) => {
  await signInWithCode(page, request, baseURL!, 'demo-email');
  expect(await deviceCookie(context)).toBeUndefined();
  await signOut(page);
  await signInExpecting(page, 'demo-email', 'method');
});

test('TD-05 two users on one browser: one user’s trust never skips the other’s code', async ({
  page,
  request,
  baseURL,
}) => {
  await signInWithCode(page, request, baseURL!, 'demo', { deviceName: 'Shared PC' });
  await signOut(page);
  await signInExpecting(page, 'admin', 'method');
  await page.goto('/login');
  await signInExpecting(page, 'demo', 'account');
});

test('TD-04 a copied device cookie stops working once the token has rotated', async ({
  page,
  request,
  baseURL,
  context,
}) => {
  await signInWithCode(page, request, baseURL!, 'demo', { deviceName: 'Rotating' });
  const original = (await deviceCookie(context))!;
  await signOut(page);
  await signInExpecting(page, 'demo', 'account');
  expect((await deviceCookie(context))?.value).not.toBe(original.value);
  await signOut(page);
  await context.addCookies([original]);
  await signInExpecting(page, 'demo', 'method');
});

test('TD-03 a device past its expiry asks for a code, whatever the cookie says', async ({
  page,
  request,
  baseURL,
}) => {
  await signInWithCode(page, request, baseURL!, 'demo', { deviceName: `Expiring ${Date.now()}` });
  await sql(
    `UPDATE "TrustedDevice" SET "expiresAt" = now() - interval '1 minute' WHERE name LIKE 'Expiring %'`,
  );
  await signOut(page);
  await signInExpecting(page, 'demo', 'method');
});

test('TD-07 a device name that is too long gets a clear message and keeps what was typed', async ({
  page,
  request,
  baseURL,
}) => {
  const tooLong = 'x'.repeat(65);
  await passwordAndCode(page, request, baseURL!, 'demo-email', true);
  await page.getByLabel('Device name').fill(tooLong);
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'at most 64 characters' })).toBeVisible();
  await expect(page.getByLabel('Device name')).toHaveValue(tooLong);
  await page.getByLabel('Device name').fill('Fine name');
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText('demo-email');
});

test('the device-name page has no axe violations', async ({ page, request, baseURL }) => {
  await passwordAndCode(page, request, baseURL!, 'demo-email', true);
  await expect(page.getByLabel('Device name')).toHaveValue('Chrome on Windows');
  await expectNoAxeViolations(page);
});

test('TD-06 deleting the device on My Trusted Devices brings the code back on that browser', async ({
  page,
  request,
  baseURL,
}) => {
  const name = `Laptop ${Date.now()}`;
  await signInWithCode(page, request, baseURL!, 'demo', { deviceName: name });
  await signOut(page);
  await signInExpecting(page, 'demo', 'account');

  await page.getByRole('link', { name: 'My Trusted Devices' }).click();
  const table = page.getByRole('table', { name: 'My Trusted Devices' });
  const row = table.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('This device');
  await expect(row).toContainText('Chrome');
  await expect(row).toContainText('Windows');
  await expectNoAxeViolations(page);
  await row.locator('summary', { hasText: /^Delete/ }).click();
  await row.getByRole('button', { name: /Delete device/ }).click();
  await expect(page).toHaveURL(/notice=deleted/);
  await expect(table.getByRole('row').filter({ hasText: name })).toHaveCount(0);

  await signOut(page);
  await signInExpecting(page, 'demo', 'method');
});

test('TD-07 names from the naughty-strings list render as text on My Trusted Devices', async ({
  page,
  request,
  baseURL,
}) => {
  const file = path.resolve(process.cwd(), '../shared/testdata/blns.json');
  test.skip(!existsSync(file), 'needs ../shared/testdata/blns.json (present in CI)');
  const names = (JSON.parse(readFileSync(file, 'utf8')) as string[])
    .map((s) => parseDeviceName(s))
    .flatMap((r) => (r.ok ? [r.name] : []));
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signInWithCode(page, request, baseURL!, 'demo-email');
  const { rows } = await sql(`SELECT id FROM "User" WHERE username = 'demo-email'`);
  await sql(
    `INSERT INTO "TrustedDevice" (id, "userId", "tokenHash", name, "expiresAt")
     SELECT 'blns-' || n, $1, md5(random()::text) || md5(random()::text), name, now() + interval '1 day'
     FROM unnest($2::text[]) WITH ORDINALITY AS t(name, n)`,
    [rows[0].id, names],
  );
  try {
    const live = (
      await sql(
        `SELECT count(*)::int AS n FROM "TrustedDevice" WHERE "userId" = $1 AND "expiresAt" > now()`,
        [rows[0].id],
      )
    ).rows[0].n;
    expect(live).toBeGreaterThanOrEqual(names.length);
    await page.goto('/account/trusted-devices');
    const table = page.getByRole('table', { name: 'My Trusted Devices' });
    // Every device, naughty names included, is a row of its own (plus the header row).
    await expect(table.getByRole('row')).toHaveCount(live + 1);
    const script = names.find((n) => n.includes('<script>'))!;
    await expect(table.getByText(script, { exact: true }).first()).toBeVisible();
    expect(dialogs).toEqual([]);
  } finally {
    await sql(`DELETE FROM "TrustedDevice" WHERE id LIKE 'blns-%'`);
  }
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('trust, skip the code, delete the device with confirmation, and the code is back', async ({
    page,
    request,
    baseURL,
  }) => {
    const name = `No-JS ${Date.now()}`;
    await signInWithCode(page, request, baseURL!, 'demo-email', { deviceName: name });
    await signOut(page);
    await signInExpecting(page, 'demo-email', 'account');
    await page.goto('/account/trusted-devices');
    const row = page.getByRole('row').filter({ hasText: name });
    await row.locator('summary', { hasText: /^Delete/ }).click();
    await row.getByRole('button', { name: /Delete device/ }).click();
    await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(0);
    await signOut(page);
    await signInExpecting(page, 'demo-email', 'method');
  });
});
