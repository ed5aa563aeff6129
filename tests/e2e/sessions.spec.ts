import { expect, test } from './support/test';
import { confirmAdminCode } from './support/admin-fresh-code';
import { sql } from './support/database';
import { createDedicatedUser, readEmail, signInByEmail } from './support/dedicated-user';
import {
  chooseChannel,
  enterCode,
  expectNoAxeViolations,
  readCode,
  signInWithCode,
  submitPassword,
} from './support/sign-in';

// Your sessions (/account/sessions), ending sessions from elsewhere, and the fresh code before
// deleting all other devices. Each test signs in a user of its own, in two browser contexts where
// it needs two browsers, so ending "every session" touches nobody else's journey.

const sessionCookieOf = async (context: import('@playwright/test').BrowserContext) =>
  (await context.cookies()).find((c) => c.name.endsWith('latchkey.session'));

test('SE-06 sign out everywhere else, from a second browser, ends the first browser’s session on the server', async ({
  page,
  request,
  baseURL,
  browser,
  context,
}) => {
  const user = await createDedicatedUser('sessions');
  await signInByEmail(page, request, baseURL!, user);
  const firstCookie = (await sessionCookieOf(context))!;

  const second = await browser.newContext();
  const other = await second.newPage();
  await signInByEmail(other, request, baseURL!, user);
  await other.getByRole('link', { name: 'Sessions' }).click();
  await expect(other.getByRole('heading', { name: 'Your sessions' })).toBeVisible();
  await expect(other.getByRole('row')).toHaveCount(3); // header and two sessions
  await expect(other.getByText('This session')).toHaveCount(1);
  await expectNoAxeViolations(other);

  await other.locator('summary', { hasText: 'Sign out everywhere else' }).click();
  await other.getByRole('button', { name: 'Yes, sign out everywhere else' }).click();
  await expect(other.getByText('All your other sessions were signed out.')).toBeVisible();
  await expect(other.getByRole('row')).toHaveCount(2);
  await expectNoAxeViolations(other);

  // The first browser is out at its next request, and its copied cookie brings nothing back.
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
  await context.addCookies([firstCookie]);
  await page.goto('/account/sessions');
  await expect(page).toHaveURL(/\/login$/);
  // The second browser is still signed in.
  await other.goto('/account');
  await expect(other.getByTestId('signed-in-user')).toHaveText(user.username);
  await second.close();
});

test('SE-06 signing out one session by its row leaves the others signed in', async ({
  page,
  request,
  baseURL,
  browser,
}) => {
  const user = await createDedicatedUser('sessions-one');
  await signInByEmail(page, request, baseURL!, user);
  const second = await browser.newContext();
  const other = await second.newPage();
  await signInByEmail(other, request, baseURL!, user);

  await page.goto('/account/sessions');
  await page.getByRole('button', { name: /^Sign out Chrome on Windows/ }).click();
  await expect(page.getByText('That session was signed out.')).toBeVisible();
  await other.goto('/account');
  await expect(other).toHaveURL(/\/login$/);
  await page.goto('/account');
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  await second.close();
});

test('SE-06 an admin signs a user out everywhere from the user’s page', async ({
  page,
  request,
  baseURL,
  browser,
}) => {
  const user = await createDedicatedUser('sessions-admin');
  await signInByEmail(page, request, baseURL!, user);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInWithCode(admin, request, baseURL!, 'admin');
  await admin.goto(`/admin/users/${user.id}`);
  await confirmAdminCode(admin, 'admin@example.com');
  await expect(admin.getByText('Signed in on 1 browser right now.')).toBeVisible();
  await admin.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(admin.getByText('Signed out of 1 session.')).toBeVisible();
  await expectNoAxeViolations(admin);
  await adminContext.close();

  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
});

test('SE-05 a session left idle past the limit is refused by the server', async ({
  page,
  request,
  baseURL,
}) => {
  const user = await createDedicatedUser('sessions-idle');
  await signInByEmail(page, request, baseURL!, user);
  await sql(
    `UPDATE "Session" SET "lastSeenAt" = now() - interval '31 minutes' WHERE "userId" = $1`,
    [user.id],
  );
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
  expect(
    (await sql(`SELECT count(*)::int AS n FROM "Session" WHERE "userId" = $1`, [user.id])).rows[0]
      .n,
  ).toBe(0);
});

test('SE-02 the session cookie is new after the code: it matches no cookie the browser had before, planted ones included', async ({
  page,
  request,
  baseURL,
  context,
}) => {
  const user = await createDedicatedUser('sessions-fixation');
  // A cookie an attacker could have planted before the victim signs in (session fixation).
  await context.addCookies([
    { name: 'latchkey.session', value: 'planted-by-someone-else', url: baseURL! },
  ]);
  const since = new Date();
  await submitPassword(page, user.username, user.password);
  await chooseChannel(page, 'Email');
  const before = await context.cookies();
  const ticket = before.find((c) => c.name.endsWith('latchkey.ticket'));
  expect(ticket?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

  await enterCode(
    page,
    (await readCode(request, baseURL!, { to: user.email, channel: 'email', since })).code,
  );
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  const after = await context.cookies();
  const session = after.find((c) => c.name.endsWith('latchkey.session'));
  expect(session).toBeDefined();
  expect(before.map((c) => c.value)).not.toContain(session!.value);
  expect(after.some((c) => c.name.endsWith('latchkey.ticket'))).toBe(false);
});

test('TD-10 SE-07 deleting all other devices asks for a fresh code, even on a trusted browser', async ({
  page,
  request,
  baseURL,
  browser,
  context,
}) => {
  const user = await createDedicatedUser('devices-fresh');
  const second = await browser.newContext();
  await signInByEmail(await second.newPage(), request, baseURL!, user, { trust: true });
  await second.close();
  await signInByEmail(page, request, baseURL!, user, { trust: true });
  // Sign in again on this trusted browser: no code this time.
  await page.context().clearCookies({ name: /latchkey\.session$/ });
  await submitPassword(page, user.username, user.password);
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  expect((await context.cookies()).some((c) => c.name.endsWith('latchkey.device'))).toBe(true);

  await page.goto('/account/trusted-devices');
  await page.locator('summary', { hasText: 'Delete all other devices' }).click();
  await expect(page.getByRole('heading', { name: 'Confirm it’s you' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Yes, delete all other devices' })).toHaveCount(0);
  await expectNoAxeViolations(page);

  const since = new Date();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await expect(page.getByText('A security code was sent to your email address.')).toBeVisible();
  const message = await readEmail(request, baseURL!, {
    to: user.email,
    subject: 'Your Latchkey code to confirm it’s you',
    since,
  });
  await enterCode(page, message.code!);
  // Back on the page with the disclosure still open, the delete button in place of the code.
  await page.getByRole('button', { name: 'Yes, delete all other devices' }).click();
  await expect(page.getByText('All other devices were deleted.')).toBeVisible();
  expect(
    (await sql(`SELECT count(*)::int AS n FROM "TrustedDevice" WHERE "userId" = $1`, [user.id]))
      .rows[0].n,
  ).toBe(1);
});
