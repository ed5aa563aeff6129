import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext, type Page } from './support/test';
import {
  chooseChannel,
  expectNoAxeViolations,
  readCode,
  signInWithCode,
  submitPassword,
} from './support/sign-in';
import { confirmAdminCode } from './support/admin-fresh-code';
import { signInAdminWithoutJavaScript } from './support/upload';

// The admin's User Upload journey (issue 4): template, upload, preview with problems, problem
// report, import of the valid rows, history, then the invited user sets a password and signs in
// with a code sent to the uploaded phone.

const HEADER = 'username,name,email,phone,role,two_factor';
const stamp = () => Date.now().toString(36);

type OutboxMessage = {
  to: string;
  channel: string;
  subject: string | null;
  body: string;
  sentAt: string;
};

async function invitationLink(
  request: APIRequestContext,
  baseURL: string,
  to: string,
): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(async () => {
      const messages = (await (
        await request.get(`${baseURL}/api/dev/outbox`)
      ).json()) as OutboxMessage[];
      link = messages
        .find((m) => m.to === to && /invited/.test(m.subject ?? ''))
        ?.body.match(/https?:\/\/\S+\/invite\/[A-Za-z0-9_-]{43}/)?.[0];
      return Boolean(link);
    })
    .toBe(true);
  return link!;
}

async function uploadFile(page: Page, name: string, content: string) {
  await page
    .getByLabel('CSV or Excel file')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await expect(page).toHaveURL(/\/admin\/users\/upload\?id=/);
}

test('CSV-02 CSV-03 CSV-04 admin uploads good and bad rows, imports the valid ones, and the invited user sets a password and signs in with an SMS code', async ({
  page,
  request,
  baseURL,
}) => {
  await signInWithCode(page, request, baseURL!, 'admin');
  await page.goto('/admin/users/upload');
  await expect(page.getByRole('heading', { name: 'User Upload', level: 1 })).toBeVisible();
  await expectNoAxeViolations(page);

  const templateDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the template (CSV)' }).click();
  const template = await readFile((await (await templateDownload).path())!, 'utf8');
  expect(template.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(HEADER);

  const id = stamp();
  const username = `invitee${id}`;
  const email = `${username}@example.com`;
  const fileName = `people-${id}.csv`;
  await uploadFile(
    page,
    fileName,
    `${HEADER}\r\n${username},Ivy Invitee,${email},+1 415 555 0188,user,yes\r\nbad${id},Bad Row,=not-an-email,,user,no\r\n`,
  );

  await expect(page.getByTestId('upload-status')).toHaveText('Checked, not imported');
  await expect(page.getByTestId('preview-counts')).toContainText('Rows read2');
  await expect(page.getByTestId('preview-counts')).toContainText('Valid1');
  await expect(page.getByTestId('preview-counts')).toContainText('With problems1');
  const problem = page.getByRole('row', { name: /Enter an email address like name@example.com./ });
  await expect(problem.getByRole('cell').nth(0)).toHaveText('3');
  await expect(problem.getByRole('cell').nth(1)).toHaveText('email');
  await expectNoAxeViolations(page);

  const reportDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the full problem report (CSV)' }).click();
  const report = await readFile((await (await reportDownload).path())!, 'utf8');
  expect(report.replace(/^\uFEFF/, '')).toBe(
    "row,column,value,reason\r\n3,email,'=not-an-email,Enter an email address like name@example.com.\r\n",
  );

  // Importing changes how people sign in: the admin confirms it's them first (SE-07, decision 12).
  await confirmAdminCode(page, 'admin@example.com');
  await page.getByLabel('Import the valid rows').check();
  await page.getByLabel('Skip them').check();
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('upload-status')).toHaveText('Imported');
  await expect(page.getByTestId('result-counts')).toContainText('Created1');
  await expect(page.getByTestId('result-counts')).toContainText('Failed1');
  await expect(page.getByTestId('invitation-counts')).toContainText('Sent1');

  await page.goto('/admin/users/uploads');
  const row = page.getByTestId('upload-row').filter({ hasText: fileName });
  await expect(row.getByTestId('created')).toHaveText('1');
  await expect(row.getByTestId('failed')).toHaveText('1');
  await expectNoAxeViolations(page);
  await page.context().clearCookies(); // the admin leaves; the invitee uses the same browser

  const link = await invitationLink(request, baseURL!, email);
  expect(new URL(link).origin).toBe(baseURL); // APP_ORIGIN, never the Host header (RC-02)
  await page.goto(link);
  await expect(page.getByLabel('Username')).toHaveValue(username);
  await expectNoAxeViolations(page);
  for (const [password, reason] of [
    ['password12345678', /commonly used passwords/],
    [`${username}-secret-words`, /username/],
    ['short one', /at least 15 characters/],
  ] as const) {
    await page.getByLabel('New password').fill(password);
    await page.getByLabel('Type it again').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.locator('#password-error')).toContainText(reason);
  }
  const password = 'lantern orchard velvet 42';
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Type it again').fill(password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page).toHaveURL(/\/login/); // RC-03: not signed in by the invitation
  await page.goto(link);
  await expect(page.getByText('This invitation link has already been used.')).toBeVisible();

  const since = new Date();
  await submitPassword(page, username, password);
  await chooseChannel(page, 'SMS');
  const sms = await readCode(request, baseURL!, { to: '+14155550188', channel: 'sms', since });
  await page.getByLabel('Security code').fill(sms.code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(username);
});

test('CSV-03 invitations beyond the first 200 wait as "Not sent yet", and "Send pending invitations" sends them', async ({
  page,
  request,
  baseURL,
}) => {
  await signInWithCode(page, request, baseURL!, 'admin');
  await page.goto('/admin/users/upload');
  const id = stamp();
  const rows = Array.from(
    { length: 201 },
    (_, i) => `many${id}n${i},,many${id}n${i}@example.com,,user,no`,
  );
  await uploadFile(page, `many-${id}.csv`, `${HEADER}\r\n${rows.join('\r\n')}\r\n`);
  await expect(page.getByTestId('preview-counts')).toContainText('Valid201');

  await confirmAdminCode(page, 'admin@example.com');
  await page.getByLabel('Import the valid rows').check();
  await page.getByLabel('Skip them').check();
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('result-counts')).toContainText('Created201');
  const counts = page.getByTestId('invitation-counts');
  // One request sends at most 200: the last user waits, with nothing lost.
  await expect(counts).toContainText('Sent200');
  await expect(counts).toContainText('Not sent yet1');
  await page.getByRole('button', { name: 'Send pending invitations (1)' }).click();
  await expect(page.getByText('1 invitation sent.')).toBeVisible();
  await expect(counts).toContainText('Sent201');
  await expect(counts).toContainText('Not sent yet0');
  await expect(page.getByRole('button', { name: /Send pending invitations/ })).toHaveCount(0);
  // The message outlives the button it answered.
  await expect(page.getByText('1 invitation sent.')).toBeVisible();
  await invitationLink(request, baseURL!, `many${id}n200@example.com`);
});

test('CSV-05 a non-admin gets "not found" from the upload pages and routes', async ({
  page,
  request,
  baseURL,
  allowConsole,
}) => {
  // The browser logs each 404 document it is shown: the answer this test expects.
  allowConsole(/status of 404 \(Not Found\) \(http:\/\/[^/]+\/admin\/users\/uploads?\)$/);
  await signInWithCode(page, request, baseURL!, 'demo');
  for (const path of ['/admin/users/upload', '/admin/users/uploads']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
  }
  for (const path of [
    '/admin/users/upload/template',
    '/admin/users/upload/report?id=x',
    '/admin/users/upload/status?id=x',
  ]) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(404);
    expect(await response.text(), path).not.toContain(HEADER);
  }
  const chunk = await page.request.post('/admin/users/upload/chunks?op=start', {
    data: { fileName: 'x.csv', size: 10 },
  });
  expect(chunk.status()).toBe(404);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('CSV-01 a small file uploads through the plain form, and a wrong header is refused with a clear message', async ({
    page,
  }) => {
    // Sign-in works without JavaScript too; codes come from the outbox.
    await signInAdminWithoutJavaScript(page);

    await page.goto('/admin/users/upload');
    await page.getByLabel('CSV or Excel file').setInputFiles({
      name: 'wrong.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,phone\r\nx,y\r\n'),
    });
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await expect(page.locator('#upload-error')).toContainText(
      'it has no username, email, role or two_factor column',
    );

    const id = stamp();
    await uploadFile(
      page,
      `nojs-${id}.csv`,
      `${HEADER}\r\nnojs${id},No Script,nojs${id}@example.com,,user,no\r\n`,
    );
    await expect(page.getByTestId('preview-counts')).toContainText('Valid1');
    await confirmAdminCode(page, 'admin@example.com');
    await page.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByTestId('result-counts')).toContainText('Created1');
  });
});
