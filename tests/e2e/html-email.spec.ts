import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './support/test';
import { createDedicatedUser } from './support/dedicated-user';
import { chooseChannel, enterCode, readCode, submitPassword } from './support/sign-in';

// The designed email as the person gets it, seen through the outbox page during a real sign-in:
// the HTML part in a sandboxed frame (no scripts, under the page's CSP), the code large,
// monospaced and selectable, the dark look where the reader asks for it, and the text part
// beside it with the same words (decision 0021).

async function expectNoViolations(page: Page, options: { exclude?: string; email?: boolean } = {}) {
  await expect(page).toHaveTitle(/\S/);
  const axe = new AxeBuilder({ page });
  if (options.exclude) axe.exclude(options.exclude);
  // An email is shown inside the mail client's own page, which has the landmarks: the rules that
  // ask a page for a main landmark do not apply to the message itself.
  if (options.email) axe.disableRules(['landmark-one-main', 'region']);
  const { violations } = await axe.analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`),
  ).toEqual([]);
}

test('the code email during sign-in: the outbox shows its HTML part sandboxed, with the code large, monospaced and selectable, light and dark, and the same words as the text part', async ({
  page,
  request,
  baseURL,
  consoleGuard,
}) => {
  const user = await createDedicatedUser('html-email');
  const since = new Date();
  await submitPassword(page, user.username);
  await chooseChannel(page, 'Email');
  const message = await readCode(request, baseURL!, { to: user.email, channel: 'email', since });

  const outbox = await page.context().newPage();
  // Chromium reports, per sandboxed frame, that it refused to run script there (the test tools
  // attach to every frame): the sandbox at work. Anything else (a CSP refusal of the email's
  // <style>, a page error) still fails the test, checked once the frames have loaded.
  await outbox.goto('/dev/outbox');
  await outbox.waitForLoadState('load');
  expect(consoleGuard.problems).toEqual([]);
  const entry = outbox.getByRole('listitem').filter({ hasText: user.email }).first();
  const frameElement = entry.getByTestId('email-html');
  // Fully sandboxed: no allow-scripts, no allow-same-origin; the document carries no script.
  await expect(frameElement).toHaveAttribute('sandbox', '');
  expect(await frameElement.getAttribute('srcdoc')).not.toMatch(/<script/i);
  await expect(frameElement).toHaveAttribute('title', /Your Latchkey security code/);

  const email = frameElement.contentFrame();
  await expect(email.getByText('Latchkey', { exact: true })).toBeVisible();
  await expect(email.getByRole('heading', { name: 'Your Latchkey security code' })).toBeVisible();
  const code = email.getByText(message.code, { exact: true });
  await expect(code).toBeVisible();
  await expect(code).toHaveCSS('font-family', /monospace/);
  await expect(code).toHaveCSS('font-size', '32px');
  await expect(code).toHaveCSS('user-select', 'all');
  await expect(
    email.getByText(/If you did not try to sign in, change your password/),
  ).toBeVisible();
  await expect(email.getByText(/sent this email to h•••@example\.com/)).toBeVisible();
  // The text part, below the frame, has the same words.
  await expect(entry.locator('pre')).toContainText(
    `Your Latchkey security code is: ${message.code}`,
  );
  await expect(entry.locator('pre')).toContainText('sent this email to h•••@example.com');
  // axe cannot run inside the sandbox (it would have to inject a script, which the sandbox refuses
  // and reports): the page is checked around the frame, and the email document on its own page.
  await expectNoViolations(outbox, { exclude: '[data-testid="email-html"]' });
  const emailPage = await page.context().newPage();
  await emailPage.setContent((await frameElement.getAttribute('srcdoc'))!);
  await expectNoViolations(emailPage, { email: true });
  await emailPage.emulateMedia({ colorScheme: 'dark' });
  await expectNoViolations(emailPage, { email: true });
  await emailPage.close();

  // The dark rules live in a <style> element: they apply only if the page's CSP let it in.
  await expect(code).toHaveCSS('background-color', 'rgb(248, 250, 252)');
  await outbox.emulateMedia({ colorScheme: 'dark' });
  await expect(code).toHaveCSS('background-color', 'rgb(15, 23, 42)');
  await expect(code).toHaveCSS('color', 'rgb(248, 250, 252)');
  await outbox.close();

  await enterCode(page, message.code);
  await expect(page).toHaveURL(/\/account$/);
});
