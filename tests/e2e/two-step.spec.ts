import { expect, test, type Page } from './support/test';
import { totpAt } from '@/lib/factors/totp';
import { sql } from './support/database';
import { latestFreshCode } from './support/admin-fresh-code';
import {
  createOwnUser,
  latestCode,
  passwordStep,
  signInOwnUser,
  type OwnUser,
} from './support/own-user';

// The Two-step sign-in page and the factors it adds: an authenticator app (the test computes its
// codes from the secret the page shows, as the app would) and backup codes. Each test has a user
// of its own.

/** Opens the page and confirms it's the user with the emailed code. */
async function openTwoStepConfirmed(page: Page, user: OwnUser) {
  await page.goto('/account/two-step');
  const since = new Date();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await expect(page).toHaveURL(/fresh=sent/);
  await page.getByLabel('Security code').fill(await latestFreshCode(user.email, since));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/fresh=confirmed/);
}

/** A code of the app for a later 30-second step than any used so far (single use, OTP-03). */
function nextAppCode(secret: string, step: number) {
  return totpAt(secret, Date.now() + step * 30_000);
}

test('TOTP an authenticator app is set up with the secret the page shows, then signs in instead of a sent code, and a code works once', async ({
  page,
}) => {
  const user = await createOwnUser('two-step-app');
  await signInOwnUser(page, user);
  await openTwoStepConfirmed(page, user);
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page).toHaveURL(/notice=scan/);
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const secret = (await page.getByTestId('app-secret').textContent())!.trim();
  await page.getByLabel('Security code').fill(totpAt(secret, Date.now()));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/notice=app-added/);
  await expect(page.getByTestId('method-app')).toContainText('Set up on');
  // RC-05: the owner hears of the new method.
  const { rows } = await sql(
    `SELECT count(*)::int AS n FROM "OutboxMessage" WHERE "to" = $1 AND subject LIKE 'An authenticator app was added%'`,
    [user.email],
  );
  expect(rows[0]?.n).toBe(1);

  // The picker offers the app first; nothing is sent.
  await passwordStep(page, user);
  const radios = page.getByRole('radio');
  await expect(radios.first()).toHaveAccessibleName(/^Authenticator app/);
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/app$/);
  const code = nextAppCode(secret, 1);
  await page.getByLabel('Code from your authenticator app').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);

  // The same code again, on a new sign-in, is refused (OTP-03).
  await passwordStep(page, user);
  await page.goto('/login/app');
  await page.getByLabel('Code from your authenticator app').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText(/That code is not right/)).toBeVisible();
});

test('OTP-03 a backup code signs in once and not twice; the owner is told', async ({ page }) => {
  const user = await createOwnUser('two-step-backup');
  await signInOwnUser(page, user);
  await openTwoStepConfirmed(page, user);
  await page.getByRole('button', { name: 'Make backup codes' }).click();
  const list = page.getByTestId('backup-codes').getByRole('listitem');
  await expect(list).toHaveCount(10);
  const code = (await list.first().textContent())!.trim();
  await expect(page.getByRole('link', { name: 'Download' })).toHaveAttribute(
    'download',
    'latchkey-backup-codes.txt',
  );

  await passwordStep(page, user);
  await page.getByRole('link', { name: 'Use a backup code' }).click();
  await expect(page).toHaveURL(/\/login\/backup-code$/);
  await page.getByLabel('Backup code').fill(code.toUpperCase());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  await expect
    .poll(async () => {
      const { rows } = await sql(
        `SELECT count(*)::int AS n FROM "OutboxMessage" WHERE "to" = $1 AND subject LIKE 'A backup code was used%'`,
        [user.email],
      );
      return rows[0]?.n;
    })
    .toBe(1);

  await passwordStep(page, user);
  await page.goto('/login/backup-code');
  await page.getByLabel('Backup code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText(/That code is not right/)).toBeVisible();
  await page.goto('/account/two-step');
  await expect(page).toHaveURL(/\/login/);
});

test('SE-07 the Two-step sign-in page changes nothing without a fresh code', async ({ page }) => {
  const user = await createOwnUser('two-step-fresh');
  await signInOwnUser(page, user);
  await page.goto('/account/two-step');
  await expect(page.getByRole('button', { name: 'Set up an authenticator app' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Make backup codes' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Send me a code' })).toBeVisible();
});

test('RC-04 an admin who resets the password from the mailbox cannot finish signing in with an email code', async ({
  page,
}) => {
  const admin = await createOwnUser('reset-admin', { role: 'admin' });
  await page.goto('/forgot-password');
  await page.getByLabel('Username or email address').fill(admin.email);
  const since = new Date();
  await page.getByRole('button', { name: 'Email me a link' }).click();
  let body = '';
  await expect
    .poll(async () => {
      const { rows } = await sql(
        `SELECT body FROM "OutboxMessage" WHERE "to" = $1 AND subject = 'Reset your Latchkey password' AND "sentAt" >= $2 ORDER BY "sentAt" DESC LIMIT 1`,
        [admin.email, new Date(since.getTime() - 1000)],
      );
      body = (rows[0]?.body as string | undefined) ?? '';
      return body !== '';
    })
    .toBe(true);
  expect(body).toContain('a code sent to this mailbox will not be accepted');
  await page.goto(/https?:\/\/\S+/.exec(body)![0]);
  const password = 'marble owls guard the library';
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Type it again').fill(password);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();

  await page.goto('/login');
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
  // The mailbox holder has the link and the inbox, but the sign-in wants the phone.
  await expect(page.getByRole('radio', { name: /^Email/ })).toHaveCount(0);
  await expect(page.getByRole('radio', { name: /^SMS/ })).toBeVisible();
});

test('an admin with only email is made to set up an authenticator app before the sign-in ends', async ({
  page,
}) => {
  const admin = await createOwnUser('enrol-admin', { role: 'admin' });
  await sql(`UPDATE "User" SET phone = NULL WHERE id = $1`, [admin.id]);
  await page.goto('/login');
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
  await expect(page.getByText(/Your role needs a stronger second step/)).toBeVisible();
  const since = new Date();
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/verify/);
  await page.getByLabel('Security code').fill(await latestCode(admin.email, since));
  await page.getByRole('button', { name: 'Verify' }).click();

  // No session yet: the enrolment step, which cannot be skipped.
  await expect(page).toHaveURL(/\/login\/enrol$/);
  const account = await page.request.get('/account', { maxRedirects: 0 });
  expect(account.headers()['location']).toMatch(/\/login$/);
  await page.reload();
  const secret = (await page.getByTestId('app-secret').textContent())!.trim();
  await page.getByLabel('Code from your authenticator app').fill(totpAt(secret, Date.now()));
  await page.getByRole('button', { name: 'Finish setup and sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(admin.username);
  const { rows } = await sql(`SELECT "confirmedAt" FROM "AuthenticatorApp" WHERE "userId" = $1`, [
    admin.id,
  ]);
  expect(rows[0]?.confirmedAt).toBeTruthy();
});
