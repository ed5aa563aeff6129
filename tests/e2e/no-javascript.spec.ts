import { expect, test } from './support/test';
import { readCode } from './support/sign-in';
import { createOwnUser } from './support/own-user';

// Every step is a plain form posting to a server action: the whole flow works with JavaScript off.
test.use({ javaScriptEnabled: false });

test('the whole sign-in works with JavaScript disabled', async ({ page, request, baseURL }) => {
  const since = new Date();
  await page.goto('/login');
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill('open-sesame-2026');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
  await page.getByRole('radio', { name: /^SMS/ }).check();
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/verify/);
  await expect(page.getByText(/The code expires in \d+ seconds/)).toBeVisible();

  const message = await readCode(request, baseURL!, { to: '+14155550101', channel: 'sms', since });
  await page.getByLabel('Security code').fill(message.code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is not right. 4 tries left.')).toBeVisible();
  await page.getByLabel('Security code').fill(message.code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('signed-in-user')).toHaveText('demo');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
});

test('without JavaScript a wrong password comes back once with its message and the username kept', async ({
  page,
}) => {
  const user = await createOwnUser('nojs-wrong');
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator('#login-error')).toHaveText('The username or password is incorrect.');
  await expect(page.getByLabel('Username')).toHaveValue(user.username);
  await expect(page.getByLabel('Password')).toHaveValue('');
  // Shown once: the page that showed it dropped it.
  await page.reload();
  await expect(page.locator('#login-error')).toHaveCount(0);
  await expect(page.getByLabel('Username')).toHaveValue('');
});
