import { expect, test, type Page } from './support/test';
import { confirmAdminCode, confirmAdminSection, latestFreshCode } from './support/admin-fresh-code';
import {
  expectNoAxeViolations,
  signInExpecting,
  signInWithCode,
  signOut,
  submitPassword,
} from './support/sign-in';
import { sql } from './support/database';
import { createOwnUser, signInOwnUser } from './support/own-user';

// The admin's user pages: the server refuses non-admins, the form keeps what was typed and shows
// each error beside its field, phones are stored in E.164, and an admin can revoke devices.
// Changing how a user signs in needs the admin's own fresh code (SE-07, decision 12).

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('a new user with two-step sign-in and no phone gets an error beside the phone field, keeps the values, then is stored with the phone in E.164', async ({
    page,
    request,
    baseURL,
  }) => {
    const username = `e2e-${Date.now().toString(36)}`;
    await signInWithCode(page, request, baseURL!, 'admin');
    await page.goto('/admin/users');
    await page.getByRole('link', { name: 'New user' }).click();
    await field(page, 'Username').fill(username);
    await field(page, 'Name').fill('Erin Example');
    await field(page, 'Email').fill(`${username}@example.com`);
    await expect(page.getByRole('checkbox', { name: /Two-step sign-in/ })).toBeChecked();
    await page.getByRole('button', { name: 'Create user' }).click();

    await expect(field(page, 'Phone')).toHaveAccessibleDescription(
      /A phone number is required when two-step sign-in is on\./,
    );
    await expect(field(page, 'Phone')).toHaveAttribute('aria-invalid', 'true');
    await expect(field(page, 'Username')).toHaveValue(username);
    await expect(field(page, 'Name')).toHaveValue('Erin Example');
    await expect(field(page, 'Email')).toHaveValue(`${username}@example.com`);
    await expect(page.getByRole('checkbox', { name: /Two-step sign-in/ })).toBeChecked();
    expect((await sql('SELECT 1 FROM "User" WHERE username = $1', [username])).rowCount).toBe(0);

    await field(page, 'Phone').fill('(415) 555-0166');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(
      page.getByText('The user was created and emailed an invitation to set a password.'),
    ).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(username);
    await expect(field(page, 'Phone')).toHaveValue('+1 415 555 0166');
    const [row] = (
      await sql('SELECT phone, "phoneVerifiedAt" FROM "User" WHERE username = $1', [username])
    ).rows;
    expect(row).toEqual({ phone: '+14155550166', phoneVerifiedAt: null });
    const outbox = (await (await request.get(`${baseURL}/api/dev/outbox`)).json()) as {
      to: string;
      subject: string | null;
    }[];
    expect(
      outbox.some(
        (m) =>
          m.to === `${username}@example.com` &&
          m.subject === 'You have been invited to sign in with Latchkey',
      ),
    ).toBe(true);

    await page.goto(`/admin/users?q=${username}`);
    const listed = page.getByRole('row').filter({ hasText: username });
    await expect(listed).toContainText('+1 415 555 0166');
    await expect(listed).toContainText('Never');
  });
});

test('a non-admin gets "not found" on every admin page, and someone signed out is sent to sign in', async ({
  page,
  request,
  baseURL,
  allowConsole,
}) => {
  // The browser logs each 404 document it is shown: the answer this test expects.
  allowConsole(/status of 404 \(Not Found\) \(http:\/\/[^/]+\/admin[/)]/);
  for (const path of ['/admin', '/admin/users']) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login/);
  }
  await signInWithCode(page, request, baseURL!, 'demo');
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  for (const path of ['/admin', '/admin/users', '/admin/users/new']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('table')).toHaveCount(0);
  }
  const [demo] = (await sql(`SELECT id FROM "User" WHERE username = 'demo'`)).rows;
  expect((await page.goto(`/admin/users/${demo.id}`))?.status()).toBe(404);
});

test('search, edit and axe: the list, the edit form with an error, and a saved change', async ({
  page,
  request,
  baseURL,
}) => {
  await signInWithCode(page, request, baseURL!, 'admin');
  await page.getByRole('link', { name: 'Admin' }).click();
  // The admin area opens on the security overview; users are one link away.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Security overview');
  await page
    .getByRole('navigation', { name: 'Admin' })
    .getByRole('link', { name: 'Users' })
    .click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await page.getByLabel('Search users').fill('415 555 0101');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'demo@example.com' })).toContainText(
    '+1 415 555 0101',
  );
  await expect(page.getByRole('row').filter({ hasText: 'admin@example.com' })).toHaveCount(0);
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name: 'demo', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('demo');
  await confirmAdminCode(page, 'admin@example.com');
  await field(page, 'Email').fill('admin@EXAMPLE.com');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(field(page, 'Email')).toHaveAccessibleDescription(
    'This is already used by another user.',
  );
  await expect(field(page, 'Email')).toHaveValue('admin@EXAMPLE.com');
  await expectNoAxeViolations(page);

  await field(page, 'Email').fill('demo@example.com');
  await field(page, 'Name').fill('Dana Demo-Edited');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('The changes were saved.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Recent events' })).toContainText('user.updated');
  await expectNoAxeViolations(page);
  await sql(`UPDATE "User" SET name = 'Dana Demo' WHERE username = 'demo'`);
});

test('TD-06 an admin revokes a user’s trusted browser: its next sign-in asks for a code', async ({
  page,
  request,
  baseURL,
  browser,
}) => {
  const deviceName = `Revoked ${Date.now()}`;
  await signInWithCode(page, request, baseURL!, 'demo', { deviceName });
  await signOut(page);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInWithCode(admin, request, baseURL!, 'admin');
  await admin.goto('/admin/users?q=demo%40example.com');
  await admin.getByRole('link', { name: 'demo', exact: true }).click();
  await confirmAdminCode(admin, 'admin@example.com');
  await admin.getByRole('button', { name: `Revoke ${deviceName}` }).click();
  await expect(admin.getByText('The device was revoked.')).toBeVisible();
  await expect(admin.getByRole('rowheader', { name: deviceName })).toHaveCount(0);
  await adminContext.close();

  await signInExpecting(page, 'demo', 'method');
});

test('the new-user page has no axe violations', async ({ page, request, baseURL }) => {
  await signInWithCode(page, request, baseURL!, 'admin');
  await page.goto('/admin/users/new');
  await expect(page.getByRole('heading', { name: 'New user' })).toBeVisible();
  await expectNoAxeViolations(page);
});

const NOT_FRESH = /^Confirm it’s you first: this change needs a code sent to your email/;
const userRow = async (id: string) =>
  (await sql('SELECT email, phone, disabled FROM "User" WHERE id = $1', [id])).rows[0];
const liveSessions = async (userId: string) =>
  (
    await sql('SELECT count(*)::int AS n FROM "Session" WHERE "userId" = $1 AND expires > now()', [
      userId,
    ])
  ).rows[0].n;

test('SE-07 an admin on a trusted browser (no code at sign-in) is asked to confirm it’s them, enters the code emailed to them, and changes a user’s phone', async ({
  page,
}) => {
  const admin = await createOwnUser('fresh-admin', { role: 'admin' });
  const user = await createOwnUser('fresh-target');
  await signInOwnUser(page, admin, { deviceName: 'Admin laptop' });
  await signOut(page);
  const since = new Date();
  await submitPassword(page, admin.username, admin.password);
  await expect(page.getByTestId('signed-in-user')).toHaveText(admin.username);
  expect(
    (
      await sql(
        'SELECT count(*)::int AS n FROM "OutboxMessage" WHERE "to" = $1 AND "sentAt" >= $2',
        [admin.email, since],
      )
    ).rows[0].n,
  ).toBe(0);

  await page.goto(`/admin/users/${user.id}`);
  const step = confirmAdminSection(page);
  await expect(step.getByRole('heading', { name: 'Confirm it’s you' })).toBeVisible();
  await expect(step).toContainText(admin.email);
  await field(page, 'Phone').fill('+1 415 555 0177');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(NOT_FRESH)).toBeVisible();
  await expect(field(page, 'Phone')).toHaveValue('+1 415 555 0177');
  expect((await userRow(user.id)).phone).toBeNull();

  const sent = new Date();
  await step.getByRole('button', { name: 'Send me a code' }).click();
  await expect(step.getByLabel('Security code')).toBeVisible();
  await expectNoAxeViolations(page);
  await step.getByLabel('Security code').fill(await latestFreshCode(admin.email, sent));
  await step.getByRole('button', { name: 'Verify' }).click();
  await expect(step.getByTestId('admin-fresh-until')).toBeVisible();
  // What was typed before confirming is still there.
  await expect(field(page, 'Phone')).toHaveValue('+1 415 555 0177');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('The changes were saved.')).toBeVisible();
  expect((await userRow(user.id)).phone).toBe('+14155550177');
  const confirmedBy = await sql(
    `SELECT count(*)::int AS n FROM "AuditEvent" WHERE "userId" = $1 AND type = 'reauth.confirmed'`,
    [admin.id],
  );
  expect(confirmedBy.rows[0].n).toBe(1);
});

test('SE-07 a stale admin is refused on the server: nothing is changed, the form keeps what was typed, nobody is signed out', async ({
  page,
  browser,
}) => {
  const admin = await createOwnUser('stale-admin', { role: 'admin' });
  const user = await createOwnUser('stale-target');
  const userContext = await browser.newContext();
  await signInOwnUser(await userContext.newPage(), user);
  // A code entered to sign in is not a code for changing someone else's sign-in.
  await signInOwnUser(page, admin);
  await page.goto(`/admin/users/${user.id}`);
  await expect(
    confirmAdminSection(page).getByRole('button', { name: 'Send me a code' }),
  ).toBeVisible();

  const newEmail = `new-${user.email}`;
  await field(page, 'Email').fill(newEmail);
  await field(page, 'Phone').fill('+1 415 555 0188');
  await page.getByRole('checkbox', { name: /^Disabled/ }).check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(NOT_FRESH)).toBeVisible();
  await expect(field(page, 'Email')).toHaveValue(newEmail);
  await expect(field(page, 'Phone')).toHaveValue('+1 415 555 0188');
  await expect(page.getByRole('checkbox', { name: /^Disabled/ })).toBeChecked();

  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('region', { name: 'Sessions' }).getByText(NOT_FRESH)).toBeVisible();
  expect(await userRow(user.id)).toEqual({ email: user.email, phone: null, disabled: false });
  expect(await liveSessions(user.id)).toBe(1);
  const changes = await sql(
    `SELECT type FROM "AuditEvent" WHERE "userId" = $1 AND type IN ('user.updated', 'sessions.revoked', 'user.disabled')`,
    [user.id],
  );
  expect(changes.rows).toEqual([]);
  await userContext.close();
});
