import { expect, test, type APIRequestContext, type Page } from './support/test';
import { confirmAdminCode } from './support/admin-fresh-code';
import { signInWithCode } from './support/sign-in';

// An invitation that went to a mistyped address stops working once an admin corrects the email
// (RC-02, OTP-10, decision 0019): whoever holds the wrong mailbox is told so by the link, and the
// admin is told to send a new one to the corrected address. The integration tests of every path
// that changes an email are tests/integration/stale-links.test.ts.

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** The newest invitation link emailed to `to`, read from the development outbox. */
async function invitationLink(request: APIRequestContext, baseURL: string, to: string) {
  let link: string | undefined;
  await expect
    .poll(async () => {
      const messages = (await (await request.get(`${baseURL}/api/dev/outbox`)).json()) as {
        to: string;
        subject: string | null;
        body: string;
      }[];
      // Newest first: after a resend, the link that works.
      link = messages
        .find((m) => m.to === to && /invited/.test(m.subject ?? ''))
        ?.body.match(/https?:\/\/\S+\/invite\/[A-Za-z0-9_-]{43}/)?.[0];
      return Boolean(link);
    })
    .toBe(true);
  return new URL(link!).pathname;
}

test('RC-02 OTP-10 an admin corrects a mistyped email: the invitation sent to the wrong mailbox says it no longer works, and the one sent to the corrected address sets the password', async ({
  page,
  browser,
  request,
  baseURL,
}) => {
  const username = `stale-${Date.now().toString(36)}`;
  const typo = `${username}@exmaple.com`;
  const corrected = `${username}@example.com`;
  await signInWithCode(page, request, baseURL!, 'admin');
  await page.goto('/admin/users/new');
  await field(page, 'Username').fill(username);
  await field(page, 'Email').fill(typo);
  await field(page, 'Phone').fill('(415) 555-0177');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(
    page.getByText('The user was created and emailed an invitation to set a password.'),
  ).toBeVisible();
  const oldLink = await invitationLink(request, baseURL!, typo);

  await confirmAdminCode(page, 'admin@example.com');
  await field(page, 'Email').fill(corrected);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(
    page.getByText(
      'The invitation sent to the old email address no longer works: email a new one to the new address below.',
    ),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Email an invitation to set a password' }).click();
  await expect(page.getByText(/An invitation to set a password was emailed/)).toBeVisible();
  const newLink = await invitationLink(request, baseURL!, corrected);

  // Whoever reads the mistyped mailbox, in a browser of their own.
  const stranger = await browser.newContext();
  const wrongMailbox = await stranger.newPage();
  await wrongMailbox.goto(oldLink);
  await expect(
    wrongMailbox.getByText(
      'This invitation no longer works: your email address was changed after it was sent.',
      { exact: false },
    ),
  ).toBeVisible();
  await expect(wrongMailbox.getByLabel('New password', { exact: false })).toHaveCount(0);
  await stranger.close();

  // The corrected address's link still offers the form.
  const owner = await browser.newContext();
  const ownerPage = await owner.newPage();
  await ownerPage.goto(newLink);
  await expect(ownerPage.getByRole('button', { name: 'Set password' })).toBeVisible();
  await owner.close();
});
