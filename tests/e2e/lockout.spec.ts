import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from './support/test';
import { confirmAdminCode } from './support/admin-fresh-code';
import { sql } from './support/database';
import {
  chooseChannel,
  DEMO_PASSWORD,
  enterCode,
  readCode,
  signInWithCode,
  submitPassword,
} from './support/sign-in';

// Lockout, the admin's unlock, and a rate-limited resend, each on a user made for the test (a
// copy of the demo password hash), so that no other spec finds a demo account locked or capped.

const INVALID = 'The username or password is incorrect.';

async function createUser(phone: string | null) {
  const id = `e2elock${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const username = `lock-${randomUUID().slice(0, 8)}`;
  const email = `${username}@example.com`;
  const { rowCount } = await sql(
    `INSERT INTO "User" (id, username, "usernameKey", email, phone, "passwordHash", "twoFactor", "updatedAt")
     SELECT $1, $2, $2, $3, $4, "passwordHash", true, now() FROM "User" WHERE "usernameKey" = 'demo'`,
    [id, username, email, phone],
  );
  expect(rowCount).toBe(1);
  return { id, username, email, phone };
}

const deleteUser = (id: string) => sql('DELETE FROM "User" WHERE id = $1', [id]);

async function expectInvalid(page: Page) {
  await expect(page.getByRole('alert').filter({ hasText: 'incorrect' })).toHaveText(INVALID);
  await expect(page).toHaveURL(/\/login$/);
}

async function outboxCount(request: APIRequestContext, baseURL: string, to: string) {
  const messages = (await (await request.get(`${baseURL}/api/dev/outbox`)).json()) as {
    to: string;
  }[];
  return messages.filter((m) => m.to === to).length;
}

test('BF-01 five wrong passwords lock the account: the right one gets the generic message; an admin unlocks it and the user signs in', async ({
  page,
  browser,
  request,
  baseURL,
}) => {
  const user = await createUser(null);
  try {
    for (let i = 0; i < 5; i++) {
      await submitPassword(page, user.username, `wrong-password-${i}`);
      await expectInvalid(page);
    }
    await submitPassword(page, user.username, DEMO_PASSWORD);
    await expectInvalid(page);

    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signInWithCode(admin, request, baseURL!, 'admin');
    await admin.goto(`/admin/users/${user.id}`);
    await confirmAdminCode(admin, 'admin@example.com');
    const lock = admin.getByRole('region', { name: 'Sign-in lock' });
    await expect(lock.getByTestId('lock-status')).toHaveText(
      /^Locked: sign-in is refused for \d+ (seconds?|minutes?) more, after 6 failed password attempts\.$/,
    );
    await lock.getByRole('button', { name: 'Unlock' }).click();
    await expect(
      lock.getByText('The account was unlocked. The user can sign in now.'),
    ).toBeVisible();
    await expect(lock.getByTestId('lock-status')).toHaveText('Not locked.');
    await expect(lock.getByRole('button', { name: 'Unlock' })).toHaveCount(0);
    await admin.reload();
    await expect(
      admin.getByRole('region', { name: 'Recent events' }).getByText('signin.unlocked'),
    ).toBeVisible();
    await adminContext.close();

    const since = new Date();
    await submitPassword(page, user.username, DEMO_PASSWORD);
    await chooseChannel(page, 'Email');
    const message = await readCode(request, baseURL!, { to: user.email, channel: 'email', since });
    await enterCode(page, message.code);
    await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  } finally {
    await deleteUser(user.id);
  }
});

test('OTP-06 a rate-limited resend says when to try again, and the last code still works', async ({
  page,
  request,
  baseURL,
}) => {
  // A number of its own: the SMS cap per phone number (10 an hour) is this test's alone.
  const user = await createUser(`+1212555${String(Date.now()).slice(-4)}`);
  try {
    const since = new Date();
    await submitPassword(page, user.username, DEMO_PASSWORD);
    await chooseChannel(page, 'SMS');
    await expect.poll(() => outboxCount(request, baseURL!, user.phone!)).toBe(1);
    const resend = page.getByRole('button', { name: 'Resend code' });
    for (let sent = 2; sent <= 10; sent++) {
      await resend.click();
      await expect.poll(() => outboxCount(request, baseURL!, user.phone!)).toBe(sent);
      await expect(resend).toBeEnabled();
    }
    await resend.click();
    await expect(page.getByRole('alert').filter({ hasText: 'Too many attempts' })).toHaveText(
      /^Too many attempts\. Try again in \d+ (minutes?|seconds?)\.$/,
    );
    expect(await outboxCount(request, baseURL!, user.phone!)).toBe(10);

    const last = await readCode(request, baseURL!, { to: user.phone!, channel: 'sms', since });
    await enterCode(page, last.code);
    await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  } finally {
    await deleteUser(user.id);
  }
});
