import { expect, test } from './support/test';
import { SHORT_TTL_PORT, SHORT_TTL_SECONDS } from '../../playwright.config';
import { chooseChannel, enterCode, readCode, submitPassword } from './support/sign-in';

// Against the second server, whose codes live SHORT_TTL_SECONDS: the countdown reaches zero,
// the server refuses the code as expired, and offers a resend that brings a new code.
const baseURL = `http://127.0.0.1:${SHORT_TTL_PORT}`;
test.use({ baseURL });

test('OTP-02 an expired code is refused and says so; a resend brings a new code', async ({
  page,
  request,
}) => {
  test.setTimeout(SHORT_TTL_SECONDS * 1000 + 45_000);
  const since = new Date();
  await submitPassword(page, 'demo-email');
  await chooseChannel(page, 'Email');
  const message = await readCode(request, baseURL, {
    to: 'demo-email@example.com',
    channel: 'email',
    since,
  });
  await expect(page.getByText('The code has expired. Send a new code.')).toBeVisible({
    timeout: SHORT_TTL_SECONDS * 1000 + 5000,
  });
  await enterCode(page, message.code);
  await expect(
    page.getByRole('alert').filter({ hasText: 'That code has expired. Send a new code.' }),
  ).toBeVisible();

  // The resend it offers brings a new code and a fresh countdown. (Entering that code too would
  // race the short lifetime on a loaded machine; resend-then-sign-in is proven on the main server.)
  const again = new Date();
  await page.getByRole('button', { name: 'Resend code' }).click();
  await expect(page.getByText('A new code was sent.')).toBeVisible();
  const fresh = await readCode(request, baseURL, {
    to: 'demo-email@example.com',
    channel: 'email',
    since: again,
  });
  expect(fresh.id).not.toBe(message.id);
  await expect(page.getByRole('timer')).toHaveText(/The code expires in \d+ seconds?\./);
});
