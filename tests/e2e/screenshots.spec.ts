import { expect, test, type Page } from './support/test';
import { totpAt } from '@/lib/factors/totp';
import { latestFreshCode } from './support/admin-fresh-code';
import { sql } from './support/database';
import { createOwnUser, passwordStep, signInOwnUser } from './support/own-user';
import { chooseChannel, passwordAndCode, readCode } from './support/sign-in';

// Not a test: regenerates the README's screenshots (`npm run screenshots`). Ignored by the normal
// e2e run (playwright.config.ts).
test.use({ viewport: { width: 900, height: 720 } });
const shot = (name: string) => ({ path: `docs/screenshots/${name}.png`, fullPage: true });

/** The page as it is, in the light scheme and then the dark one (`<name>-dark.png`). */
async function bothSchemes(page: Page, name: string) {
  await page.screenshot(shot(name));
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot(shot(`${name}-dark`));
  await page.emulateMedia({ colorScheme: 'light' });
}

test('README screenshots of the sign-in flow and My Trusted Devices', async ({
  page,
  request,
  baseURL,
}) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill('open-sesame-2026');
  await bothSchemes(page, '1-sign-in');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
  await bothSchemes(page, '2-choose-method');
  const since = new Date();
  await chooseChannel(page, 'SMS');
  const message = await readCode(request, baseURL!, { to: '+14155550101', channel: 'sms', since });
  await page.getByLabel('Security code').fill(message.code);
  await page.getByLabel("Don't require OTP on this browser").check();
  await bothSchemes(page, '3-enter-code');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/login\/device$/);
  await page.getByLabel('Device name').fill('Work laptop');
  await bothSchemes(page, '4-name-device');
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByTestId('signed-in-user')).toBeVisible();
  await page.screenshot(shot('5-account'));

  // A second trusted browser, so the list shows "This device" against another.
  const other = await page.context().browser()!.newContext({ baseURL });
  const otherPage = await other.newPage();
  await passwordAndCode(otherPage, request, baseURL!, 'demo', true);
  await otherPage.getByLabel('Device name').fill('Home desktop');
  await otherPage.getByRole('button', { name: 'Login' }).click();
  await other.close();

  await page.goto('/account/trusted-devices');
  await bothSchemes(page, '6-my-trusted-devices');
  await page.goto('/dev/outbox');
  await page.screenshot({ path: 'docs/screenshots/7-outbox.png' });
});

test('README screenshots of the Two-step sign-in page and the picker with an authenticator app', async ({
  page,
}) => {
  const user = await createOwnUser('screens');
  await signInOwnUser(page, user);
  await page.goto('/account/two-step');
  const since = new Date();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByLabel('Security code').fill(await latestFreshCode(user.email, since));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await page.screenshot(shot('8-set-up-app'));
  const secret = (await page.getByTestId('app-secret').textContent())!.trim();
  await page.getByLabel('Security code').fill(totpAt(secret, Date.now()));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Make backup codes' }).click();
  await expect(page.getByTestId('backup-codes')).toBeVisible();
  await page.screenshot(shot('9-two-step-sign-in'));

  await passwordStep(page, user);
  await page.screenshot(shot('10-choose-method-with-app'));
});

test('README screenshot of the security overview', async ({ page }) => {
  // A plausible month of events (deterministic, days before today), removed afterwards.
  const seeded = `id LIKE 'e2e-screens-overview-%'`;
  await sql(`DELETE FROM "AuditEvent" WHERE ${seeded}`);
  await sql(
    `INSERT INTO "AuditEvent" (id, type, detail, "createdAt")
     SELECT 'e2e-screens-overview-' || d || '-' || k.type || '-' || n, k.type,
            CASE WHEN k.type = 'code.sent' THEN '{"channel":"sms"}'::jsonb END,
            date_trunc('day', now() AT TIME ZONE 'UTC') - d * interval '1 day' + n * interval '1 second'
     FROM generate_series(1, 29) AS d,
          (VALUES ('signin.succeeded', 60, 25), ('signin.password_failed', 12, 9),
                  ('code.rejected', 6, 5), ('signin.locked', 1, 2), ('device.trusted', 6, 5),
                  ('code.sent', 700, 450)) AS k(type, base, spread),
          LATERAL generate_series(1, k.base + ((d * 7 + k.spread * 3) % (k.spread + 1)) * (CASE WHEN d = 12 AND k.type = 'code.sent' THEN 2 ELSE 1 END)) AS n`,
  );
  try {
    const admin = await createOwnUser('screens-admin', { role: 'admin' });
    await signInOwnUser(page, admin);
    await page.goto('/admin');
    await page.setViewportSize({ width: 1200, height: 720 });
    await page.screenshot(shot('11-security-overview'));
  } finally {
    await sql(`DELETE FROM "AuditEvent" WHERE ${seeded}`);
  }
});
