import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from './support/test';
import { DATABASE_URL_FILE, MAIN_PORT } from '../../playwright.config';
import { latestFreshCode } from './support/admin-fresh-code';
import { sql } from './support/database';
import { startExtraServer, type ExtraServer } from './support/extra-server';
import { createOwnUser, signInOwnUser, type OwnUser } from './support/own-user';

// Passkeys in Chromium with the DevTools protocol's virtual authenticator. WebAuthn refuses an IP
// address as relying party id, and the shared e2e servers live at http://127.0.0.1:…; so this
// spec starts its own server of the same build and database whose APP_ORIGIN is
// http://localhost:…, and the browser uses that name.

const PORT = MAIN_PORT + 5;
const BASE = `http://localhost:${PORT}`;
test.use({ baseURL: BASE });
test.describe.configure({ timeout: 120_000 });

let server: ExtraServer;
test.beforeAll(async () => {
  test.setTimeout(90_000);
  server = await startExtraServer(PORT, {
    DATABASE_URL: readFileSync(DATABASE_URL_FILE, 'utf8').trim(),
    MEMORY_STORE: '1',
    OTP_RESEND_COOLDOWN_SECONDS: '0',
    APP_ORIGIN: BASE,
  });
});
test.afterAll(async () => {
  await server?.stop();
});

/** A platform authenticator that verifies the user without a prompt, for this page only. */
async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
}

async function confirmItsMe(page: Page, user: OwnUser) {
  await page.goto('/account/two-step');
  const since = new Date();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await expect(page).toHaveURL(/fresh=sent/);
  await page.getByLabel('Security code').fill(await latestFreshCode(user.email, since));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/fresh=confirmed/);
}

async function signOut(page: Page) {
  await page.goto('/account');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
}

async function passwordStep(page: Page, user: OwnUser) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
}

test('a passkey added behind a fresh code is listed, is offered first at sign-in and signs in; once removed it is no longer offered', async ({
  page,
}) => {
  const user = await createOwnUser('passkey');
  await addVirtualAuthenticator(page);
  await signInOwnUser(page, user);
  await confirmItsMe(page, user);

  const section = page.getByTestId('method-passkeys');
  await section.getByLabel('Passkey name').fill('Work laptop');
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(section.getByText('The passkey “Work laptop” was added.')).toBeVisible();
  await expect(section.getByRole('listitem')).toHaveCount(1);
  await expect(section.getByRole('listitem')).toContainText('Work laptop');
  await expect(section.getByRole('listitem')).toContainText('not used yet');
  // RC-05: the owner hears of the new method.
  const { rows } = await sql(
    `SELECT count(*)::int AS n FROM "OutboxMessage" WHERE "to" = $1 AND subject = 'A passkey was added to your Latchkey account'`,
    [user.email],
  );
  expect(rows[0]?.n).toBe(1);

  await signOut(page);
  await passwordStep(page, user);
  await expect(page.getByRole('radio').first()).toHaveAccessibleName(/^Passkey/);
  await expect(page.getByRole('radio', { name: /^Passkey/ })).toBeChecked();
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/passkey$/);
  await page.getByRole('button', { name: 'Use passkey' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);

  // A new session is not fresh: removing needs "Confirm it's you" again.
  await page.goto('/account/two-step');
  await expect(section.getByRole('listitem')).toContainText('last used');
  await expect(section.getByRole('button', { name: 'Remove Work laptop' })).toHaveCount(0);
  await confirmItsMe(page, user);
  await section.getByRole('button', { name: 'Remove Work laptop' }).click();
  await expect(section.getByText('None yet.')).toBeVisible();

  await signOut(page);
  await passwordStep(page, user);
  await expect(page.getByRole('radio', { name: /^Passkey/ })).toHaveCount(0);
  await page.goto('/login/passkey');
  await expect(page).toHaveURL(/\/login\/method$/);
});

test('with JavaScript off the passkey page says a passkey needs JavaScript and leads back to the other methods', async ({
  browser,
}) => {
  const user = await createOwnUser('passkey-nojs');
  // A stored passkey is enough for the offer; this browser could never use it anyway.
  await sql(
    `INSERT INTO "Passkey" (id, "userId", "publicKey", name) VALUES ($1, $2, $3, 'Old phone')`,
    [randomBytes(16).toString('base64url'), user.id, randomBytes(77)],
  );
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE });
  const page = await context.newPage();
  await passwordStep(page, user);
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/passkey$/);
  await expect(page.getByText('A passkey needs JavaScript')).toBeVisible();
  await page.getByRole('link', { name: 'Choose another method' }).first().click();
  await expect(page).toHaveURL(/\/login\/method$/);
  await expect(page.getByRole('radio', { name: /^Email/ })).toBeVisible();
  await context.close();
});
