import { expect, test, type Page } from './support/test';
import { sql } from './support/database';
import { createOwnUser, latestCode, signInOwnUser, type OwnUser } from './support/own-user';
import { expectNoAxeViolations } from './support/sign-in';

// The admin's security overview (issue 14): per UTC day, counts from the audit trail drawn as
// server-rendered SVG with a table of the same numbers, each linking into the filtered audit log.

const METRICS = [
  'Sign-ins',
  'Failed passwords',
  'Wrong codes',
  'Lockouts',
  'New trusted devices',
  'SMS and voice sends',
];

/** The table's numbers for one UTC day, in METRICS order (the table is read, open or not). */
async function dayNumbers(page: Page, day: string): Promise<number[]> {
  const cells = page.locator(`tbody tr:has(time[datetime="${day}"]) td`);
  await expect(cells).toHaveCount(METRICS.length);
  return (await cells.allTextContents()).map((t) => parseInt(t, 10));
}

/** Known events on days of 2024 (long past, so no other spec writes there), one `id` prefix. */
async function seedPastEvents() {
  await sql(`DELETE FROM "AuditEvent" WHERE id LIKE 'e2e-overview-%'`);
  const rows: [string, string, string | null][] = [
    ['2024-02-09T12:00:00Z', 'signin.succeeded', null], // the day before the window
    ...Array.from({ length: 3 }, (): [string, string, null] => [
      '2024-03-09T08:00:00Z',
      'signin.succeeded',
      null,
    ]),
    ['2024-03-09T09:00:00Z', 'signin.password_failed', null],
    ['2024-03-09T09:01:00Z', 'signin.password_failed', null],
    ['2024-03-09T09:02:00Z', 'code.rejected', 'sms'],
    ['2024-03-09T09:03:00Z', 'code.burnt', 'email'],
    ['2024-03-09T09:04:00Z', 'signin.locked', null],
    ['2024-03-09T10:00:00Z', 'code.sent', 'sms'],
    ['2024-03-09T10:01:00Z', 'code.sent', 'voice'],
    ['2024-03-09T23:59:59Z', 'code.sent', 'sms'],
    ['2024-03-09T10:02:00Z', 'code.sent', 'email'],
    ['2024-03-10T23:59:59Z', 'signin.succeeded', null],
  ];
  for (const [i, [at, type, channel]] of rows.entries())
    await sql(
      `INSERT INTO "AuditEvent" (id, type, detail, "createdAt") VALUES ($1, $2, $3, timestamptz '${at}')`,
      [`e2e-overview-${i}`, type, channel ? JSON.stringify({ channel }) : null],
    );
}

/** A wrong password, then the password, a wrong code, the right code and "trust this browser". */
async function wrongPasswordThenWrongCode(page: Page, user: OwnUser) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(`${user.password}-wrong`);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.getByText('The username or password is incorrect.')).toBeVisible();
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await page.getByRole('radio', { name: /^Email/ }).check();
  const since = new Date();
  await page.getByRole('button', { name: 'Proceed' }).click();
  const code = await latestCode(user.email, since);
  await page.getByLabel('Security code').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is not right. 4 tries left.')).toBeVisible();
  await page.getByLabel('Security code').fill(code);
  await page.getByLabel("Don't require OTP on this browser").check();
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByLabel('Device name').fill('Overview laptop');
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
}

test("the security overview counts today's sign-in events, links each day into the audit log, passes axe and works without JavaScript", async ({
  page,
  browser,
}) => {
  const admin = await createOwnUser('overseer', { role: 'admin' });
  const watched = await createOwnUser('watched');
  await seedPastEvents();
  await signInOwnUser(page, admin);
  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Security overview');
  await expect(page.getByText('Days are UTC days')).toBeVisible();
  for (const name of METRICS)
    await expect(page.getByRole('heading', { level: 2, name, exact: true })).toBeVisible();
  await expectNoAxeViolations(page);

  // Today, through the UI: e2e specs run one at a time, so the differences are exactly ours.
  const today = new Date().toISOString().slice(0, 10);
  const before = await dayNumbers(page, today);
  const other = await browser.newContext();
  await wrongPasswordThenWrongCode(await other.newPage(), watched);
  await other.close();
  await page.reload();
  const after = await dayNumbers(page, today);
  expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1, 1, 0, 1, 0]);

  // Today's wrong codes open the audit log at exactly those events, where ours is listed.
  await page.getByText('The numbers as a table').click();
  await page
    .locator(`tbody tr:has(time[datetime="${today}"])`)
    .getByRole('link', { name: /wrong codes on/ })
    .click();
  await expect(page).toHaveURL(
    new RegExp(
      `/admin/audit\\?type=code\\.rejected%2Ccode\\.burnt&from=${today}T00%3A00&to=${today}T23%3A59$`,
    ),
  );
  await expect(page.getByRole('row').filter({ hasText: watched.username })).toContainText(
    'code.rejected',
  );
  await expect(page.getByLabel('Event')).toHaveValue('code.rejected,code.burnt');
  await expectNoAxeViolations(page);

  // An earlier month, the seeded one: exact numbers, zero days, the budget line, the links.
  await page.goto('/admin?end=2024-03-10');
  await expect(page.getByText('from 10 Feb 2024 to 10 Mar 2024')).toBeVisible();
  expect(await dayNumbers(page, '2024-03-09')).toEqual([3, 2, 2, 1, 0, 3]);
  expect(await dayNumbers(page, '2024-03-10')).toEqual([1, 0, 0, 0, 0, 0]);
  expect(await dayNumbers(page, '2024-02-10')).toEqual([0, 0, 0, 0, 0, 0]);
  await expect(
    page.getByRole('img', { name: /^Sign-ins per UTC day, 10 Feb to 10 Mar/ }),
  ).toHaveAccessibleDescription('4 in all; most on 9 Mar (3); 1 on 10 Mar.');
  const sms = page.getByRole('img', { name: /^SMS and voice sends per UTC day/ });
  await expect(sms).toHaveAccessibleDescription(/Daily budget \d+: no day over it\./);
  await expect(sms.locator('line[stroke-dasharray]')).toHaveCount(1);
  await page.getByText('The numbers as a table').click();
  await expectNoAxeViolations(page);
  await page
    .locator('tbody tr:has(time[datetime="2024-03-09"])')
    .getByRole('link', { name: /sms and voice sends on/ })
    .click();
  await expect(page.getByRole('status').filter({ hasText: 'Showing' })).toHaveText(
    'Showing 1–3 of 3 events matching the filter, newest first.',
  );
  await expect(page.getByLabel('Channel')).toHaveValue('sms,voice');

  // Without JavaScript: the same page, the table opens, and a bar of the SVG is a plain link.
  const noJs = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const plain = await noJs.newPage();
  await plain.goto('/admin?end=2024-03-10');
  await plain.getByText('The numbers as a table').click();
  await expect(plain.locator('tbody tr:has(time[datetime="2024-03-09"]) td').first()).toBeVisible();
  await plain.getByTestId('chart-signIns-links').locator('a').nth(28).click();
  await expect(plain).toHaveURL(
    /type=signin\.succeeded&from=2024-03-09T00%3A00&to=2024-03-09T23%3A59$/,
  );
  await expect(plain.getByRole('status').filter({ hasText: 'Showing' })).toHaveText(
    'Showing 1–3 of 3 events matching the filter, newest first.',
  );
  await noJs.close();
});
