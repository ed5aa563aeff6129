import { expect, test } from './support/test';
import {
  chooseChannel,
  enterCode,
  expectNoAxeViolations,
  readCode,
  submitPassword,
} from './support/sign-in';

// The sign-in journey (password, method, code, device name), against the production build, codes
// read from the outbox. Demo users come from prisma/seed.ts.

test('sign in by email: password, method, code, account page; sign out ends the session on the server (SE-06)', async ({
  page,
  request,
  baseURL,
  context,
}) => {
  const since = new Date();
  await submitPassword(page, 'Demo');
  await expect(page.getByText('d•••@example.com')).toBeVisible();
  await chooseChannel(page, 'Email');
  await expect(page.getByText('The code expires in')).toBeVisible();

  const message = await readCode(request, baseURL!, {
    to: 'demo@example.com',
    channel: 'email',
    since,
  });
  expect(message.code).toMatch(/^\d{6}$/);
  expect(message.body).toContain(message.code);
  await enterCode(page, message.code);

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('signed-in-user')).toHaveText('demo');
  const sessionCookie = (await context.cookies()).find((c) => c.name.endsWith('latchkey.session'));
  expect(sessionCookie?.httpOnly).toBe(true);
  expect(sessionCookie?.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?notice=signed-out$/);
  // Replaying the old session cookie does not bring the session back: its record is gone.
  await context.addCookies([sessionCookie!]);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
});

test('SE-03 the password step alone grants nothing: /account still asks to sign in', async ({
  page,
  context,
}) => {
  await submitPassword(page, 'demo');
  await expect(page).toHaveURL(/\/login\/method$/);
  expect((await context.cookies()).some((c) => c.name.endsWith('latchkey.session'))).toBe(false);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/);
});

test('sign in by SMS: the text ends with the WebOTP line and the code page offers one-time-code autofill', async ({
  page,
  request,
  baseURL,
}) => {
  const since = new Date();
  await submitPassword(page, 'demo');
  await expect(page.getByText('•••• •••• 0101').first()).toBeVisible();
  await chooseChannel(page, 'SMS');
  const input = page.getByLabel('Security code');
  await expect(input).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(input).toHaveAttribute('inputmode', 'numeric');
  await expect(input).toBeFocused();

  const message = await readCode(request, baseURL!, { to: '+14155550101', channel: 'sms', since });
  const host = new URL(baseURL!).hostname;
  expect(message.body.trim().split('\n').at(-1)).toBe(`@${host} #${message.code}`);
  await enterCode(page, message.code);
  await expect(page.getByTestId('signed-in-user')).toHaveText('demo');
});

test('sign in by voice call: the call reads the digits', async ({ page, request, baseURL }) => {
  const since = new Date();
  await submitPassword(page, 'admin');
  await chooseChannel(page, 'Voice call');
  const message = await readCode(request, baseURL!, {
    to: '+14155550100',
    channel: 'voice',
    since,
  });
  expect(message.body).toContain(message.code.split('').join(', '));
  await enterCode(page, message.code);
  await expect(page.getByTestId('signed-in-user')).toHaveText('admin');
});

test('OTP-08 OTP-09 the method page labels email lower assurance and tells the SMS and voice risk before the choice', async ({
  page,
}) => {
  await submitPassword(page, 'demo');
  await expect(page.getByRole('radio', { name: /^Email.*Lower assurance/ })).toBeVisible();
  await expect(page.getByRole('radio', { name: /^SMS.*intercepted or redirected/ })).toBeVisible();
  await expect(page.getByRole('radio', { name: /^Voice call.*redirected/ })).toBeVisible();
});

test('a user without a phone sees only Email', async ({ page }) => {
  await submitPassword(page, 'demo-email');
  await expect(page).toHaveURL(/\/login\/method$/);
  await expect(page.getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('radio', { name: /^Email/ })).toBeVisible();
  await expect(page.getByText(/SMS|Voice call/)).toHaveCount(0);
});

test('PW-10 wrong password and unknown user get the same message', async ({ page }) => {
  await submitPassword(page, 'demo', 'not-the-password');
  const wrongPassword = await page
    .getByRole('alert')
    .filter({ hasText: 'incorrect' })
    .textContent();
  await submitPassword(page, 'nobody-by-this-name', 'not-the-password');
  const unknownUser = await page.getByRole('alert').filter({ hasText: 'incorrect' }).textContent();
  expect(wrongPassword).toBe('The username or password is incorrect.');
  expect(unknownUser).toBe(wrongPassword);
  await expect(page.getByLabel('Username')).toHaveValue('nobody-by-this-name');
});

test('a wrong code says how many tries are left; the right code still works after it', async ({
  page,
  request,
  baseURL,
}) => {
  const since = new Date();
  await submitPassword(page, 'demo-email');
  await chooseChannel(page, 'Email');
  const message = await readCode(request, baseURL!, {
    to: 'demo-email@example.com',
    channel: 'email',
    since,
  });
  const wrong = message.code === '000000' ? '111111' : '000000';
  await enterCode(page, wrong);
  await expect(page.getByText('That code is not right. 4 tries left.')).toBeVisible();
  await enterCode(page, message.code);
  await expect(page.getByTestId('signed-in-user')).toHaveText('demo-email');
});

test('OTP-06 resend voids the previous code', async ({ page, request, baseURL }) => {
  const first = new Date();
  await submitPassword(page, 'demo-email');
  await chooseChannel(page, 'Email');
  const old = await readCode(request, baseURL!, {
    to: 'demo-email@example.com',
    channel: 'email',
    since: first,
  });
  const second = new Date(Date.now() + 1);
  await page.getByRole('button', { name: 'Resend code' }).click();
  await expect(page.getByText('A new code was sent.')).toBeVisible();
  const fresh = await readCode(request, baseURL!, {
    to: 'demo-email@example.com',
    channel: 'email',
    since: second,
  });
  expect(fresh.id).not.toBe(old.id);
  if (old.code !== fresh.code) {
    await enterCode(page, old.code);
    await expect(page.getByText(/That code is not right/)).toBeVisible();
  }
  await enterCode(page, fresh.code);
  await expect(page.getByTestId('signed-in-user')).toHaveText('demo-email');
});

test('choose another method goes back to the method page', async ({ page }) => {
  await submitPassword(page, 'demo');
  await chooseChannel(page, 'Email');
  await page.getByRole('link', { name: 'Choose another method' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
  await expect(page.getByRole('radio', { name: /^SMS/ })).toBeVisible();
});

test('an expired sign-in says start again', async ({ page, context }) => {
  await context.addCookies([
    {
      name: 'latchkey.ticket',
      value: 'A'.repeat(43),
      url: page.url() === 'about:blank' ? 'http://127.0.0.1:3100' : page.url(),
    },
  ]);
  await page.goto('/login/verify');
  await expect(page.getByText('Your sign-in has expired. Start again.')).toBeVisible();
  await page.getByRole('link', { name: 'Start again' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test('every step page has no axe violations', async ({ page, request, baseURL }) => {
  const since = new Date();
  await page.goto('/login');
  await expectNoAxeViolations(page);
  await submitPassword(page, 'demo');
  await expect(page).toHaveURL(/\/login\/method$/);
  await expectNoAxeViolations(page);
  await chooseChannel(page, 'Email');
  await expectNoAxeViolations(page);
  const message = await readCode(request, baseURL!, {
    to: 'demo@example.com',
    channel: 'email',
    since,
  });
  await enterCode(page, message.code);
  await expect(page.getByTestId('signed-in-user')).toBeVisible();
  await expectNoAxeViolations(page);
});
