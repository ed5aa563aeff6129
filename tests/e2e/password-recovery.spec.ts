import { expect, test, type Page } from './support/test';
import { createDedicatedUser, readEmail, signInByEmail } from './support/dedicated-user';
import { expectNoAxeViolations, signOut, submitPassword } from './support/sign-in';

// Forgot password (RC-01 … RC-03, RC-05), change password (PW-09, SE-07) and what password
// managers need (PW-07), in the browser. Each test uses a user of its own, so the demo password
// (open-sesame-2026) is never changed for the other specs.

const NEW_PASSWORD = 'marble owls guard the library';
const SENT = 'If an account matches what you entered, we have sent a link to its email address.';

async function askForLink(page: Page, identifier: string) {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel('Username or email address').fill(identifier);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByText(SENT)).toBeVisible();
  return page.locator('main').innerText();
}

test('RC-01 RC-02 RC-03 RC-05 forgot password end to end: same answer for anyone, a single-use link on the configured origin, and the next sign-in still asks for the code', async ({
  page,
  request,
  baseURL,
  context,
}) => {
  const user = await createDedicatedUser('reset');
  // A trusted browser first: after the reset it must ask for the code again (TD-06).
  await signInByEmail(page, request, baseURL!, user, { trust: true });
  await signOut(page);

  await page.goto('/forgot-password');
  await expectNoAxeViolations(page);
  const unknown = await askForLink(page, `nobody-${Date.now()}`);
  const since = new Date();
  const known = await askForLink(page, user.email.toUpperCase());
  expect(known).toBe(unknown);
  await expectNoAxeViolations(page);

  const email = await readEmail(request, baseURL!, {
    to: user.email,
    subject: 'Reset your Latchkey password',
    since,
  });
  const link = new URL(/https?:\/\/\S+/.exec(email.body)![0]);
  expect(link.origin).toBe(new URL(baseURL!).origin); // APP_ORIGIN of this server, never a Host header
  expect(link.pathname).toBe('/reset-password');

  await page.goto(link.toString());
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveValue(user.username);
  await expect(page.getByLabel('New password')).toHaveAttribute('autocomplete', 'new-password');
  await expectNoAxeViolations(page);
  await page.getByLabel('New password').fill('short one');
  await page.getByLabel('Type it again').fill('short one');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('Use at least 15 characters')).toBeVisible();
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('Type it again').fill(NEW_PASSWORD);
  const resetAt = new Date();
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();
  await expectNoAxeViolations(page);
  await readEmail(request, baseURL!, {
    to: user.email,
    subject: 'Your Latchkey password was reset',
    since: resetAt,
  });

  // The reset signed nobody in, and the link is spent.
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(link.toString());
  await expect(page.getByText('This link does not work')).toBeVisible();

  // The old password is refused; the new one leads to the code, trusted browser or not.
  await submitPassword(page, user.username, user.password);
  await expect(page.getByText('The username or password is incorrect.')).toBeVisible();
  await submitPassword(page, user.username, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/login\/method$/);
  expect((await context.cookies()).some((c) => c.name.endsWith('latchkey.session'))).toBe(false);
  await signInByEmail(page, request, baseURL!, user, { password: NEW_PASSWORD });
});

test('PW-09 SE-07 change password: a fresh code, the current password, then every other session ends and the user is told', async ({
  page,
  request,
  baseURL,
  browser,
}) => {
  const user = await createDedicatedUser('change');
  await signInByEmail(page, request, baseURL!, user);
  const second = await browser.newContext();
  const other = await second.newPage();
  await signInByEmail(other, request, baseURL!, user);

  await page.getByRole('link', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Confirm it’s you' })).toBeVisible();
  await expectNoAxeViolations(page);
  let since = new Date();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  const message = await readEmail(request, baseURL!, {
    to: user.email,
    subject: 'Your Latchkey code to confirm it’s you',
    since,
  });
  await page.getByLabel('Security code').fill(message.code!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Type the new password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your current password is not right.')).toBeVisible();
  await expect(page.getByLabel('Current password')).toHaveValue('');

  await page.getByLabel('Current password').fill(user.password);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Type the new password again').fill(NEW_PASSWORD);
  since = new Date();
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();
  await readEmail(request, baseURL!, {
    to: user.email,
    subject: 'Your Latchkey password was changed',
    since,
  });

  // The other browser is signed out; this one is not.
  await other.goto('/account');
  await expect(other).toHaveURL(/\/login$/);
  await second.close();
  await page.goto('/account');
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  await signOut(page);
  await signInByEmail(page, request, baseURL!, user, { password: NEW_PASSWORD });
});

test('PW-07 password managers and paste work: autocomplete values on every password form, and paste is never blocked', async ({
  page,
  request,
  baseURL,
}) => {
  const pasteAllowed = (selector: string) =>
    page.locator(selector).evaluate((input) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'pasted passphrase from a manager');
      return input.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });

  await page.goto('/login');
  await expect(page.getByLabel('Username')).toHaveAttribute('autocomplete', 'username');
  await expect(page.getByLabel('Password')).toHaveAttribute('autocomplete', 'current-password');
  expect(await pasteAllowed('#password')).toBe(true);
  expect(await pasteAllowed('#username')).toBe(true);
  await page.getByLabel('Password').focus();
  await page.keyboard.insertText('typed or pasted, it arrives');
  await expect(page.getByLabel('Password')).toHaveValue('typed or pasted, it arrives');

  const user = await createDedicatedUser('autocomplete');
  await signInByEmail(page, request, baseURL!, user);
  await page.goto('/account/password');
  const since = new Date();
  await page.getByRole('button', { name: 'Send me a code' }).click();
  const message = await readEmail(request, baseURL!, {
    to: user.email,
    subject: 'Your Latchkey code to confirm it’s you',
    since,
  });
  await page.getByLabel('Security code').fill(message.code!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('input[autocomplete="username"]')).toHaveValue(user.username);
  await expect(page.getByLabel('Current password')).toHaveAttribute(
    'autocomplete',
    'current-password',
  );
  await expect(page.getByLabel('New password', { exact: true })).toHaveAttribute(
    'autocomplete',
    'new-password',
  );
  await expect(page.getByLabel('Type the new password again')).toHaveAttribute(
    'autocomplete',
    'new-password',
  );
  for (const id of ['#current-password', '#new-password', '#confirm-password'])
    expect(await pasteAllowed(id)).toBe(true);
});
