import iconv from 'iconv-lite';
import { expect, type Page } from './test';
import { expectNoAxeViolations, readCode } from './sign-in';
import { confirmAdminCode } from './admin-fresh-code';

// The User Upload steps the upload specs share: check a file, import its valid rows, find a
// created user on the users page, and the demo admin's sign-in without JavaScript.

export const stamp = () => Date.now().toString(36);

/** A CSV file as Excel saves one: `lines` joined with CRLF, in a Windows code page. */
export function csvFile(name: string, lines: string[], encoding: string) {
  return {
    name,
    mimeType: 'text/csv',
    buffer: iconv.encode(`${lines.join('\r\n')}\r\n`, encoding),
  };
}

/** Uploads `file` for its dry run and waits for the report, read as `readAs`. */
export async function checkUpload(
  page: Page,
  file: { name: string; mimeType: string; buffer: Buffer },
  { readAs, encoding }: { readAs: string; encoding?: string },
) {
  await page.goto('/admin/users/upload');
  await page.getByLabel('CSV or Excel file').setInputFiles(file);
  if (encoding) await page.getByLabel('Encoding').selectOption(encoding);
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await expect(page).toHaveURL(/\/admin\/users\/upload\?id=/);
  await expect(page.getByTestId('upload-status')).toHaveText('Checked, not imported');
  await expect(page.getByTestId('upload-read-as')).toHaveText(readAs);
}

/** From a checked upload's report: confirms the admin's code and imports the valid rows. */
export async function importValidRows(page: Page, created: number) {
  await expectNoAxeViolations(page);
  await confirmAdminCode(page, 'admin@example.com');
  await page.getByLabel('Import the valid rows').check();
  await page.getByLabel('Skip them').check();
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('upload-status')).toHaveText('Imported');
  await expect(page.getByTestId('result-counts')).toContainText(`Created${created}`);
}

/** The users page lists `username` with this name and phone. */
export async function expectUser(page: Page, username: string, name: string, phone: string) {
  await page.goto(`/admin/users?q=${encodeURIComponent(username)}`);
  const row = page.getByRole('row', { name: new RegExp(username) });
  await expect(row).toContainText(name);
  await expect(row).toContainText(phone);
}

/** The demo admin signs in with the SMS code from the outbox, in a page without JavaScript. */
export async function signInAdminWithoutJavaScript(page: Page) {
  await page.goto('/login');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('open-sesame-2026');
  await page.getByRole('button', { name: 'Sign In' }).click();
  // Administrators get no email codes: the demo admin's code goes by SMS.
  await page.getByRole('radio', { name: /^SMS/ }).check();
  const since = new Date();
  await page.getByRole('button', { name: 'Proceed' }).click();
  const message = await readCode(page.request, new URL(page.url()).origin, {
    to: '+14155550100',
    channel: 'sms',
    since,
  });
  await page.getByLabel('Security code').fill(message.code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/account$/);
}
