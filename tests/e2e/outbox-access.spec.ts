import { expect, request as http, test } from './support/test';
import { OUTBOX_TOKEN, OUTBOX_TOKEN_HEADER } from '../../playwright.config';
import { createDedicatedUser, signInByEmail } from './support/dedicated-user';
import { signInWithCode } from './support/sign-in';

// The e2e servers run `next start` as a preview with the outbox on (playwright.config.ts), like a
// preview deployment paired with a copy of production users. Every other spec sends the run's
// outbox token with each request; here it is taken away, to show what anyone else gets from the
// page and the API: the ordinary 404, unless they are a signed-in admin (decision 0018).
test.use({ extraHTTPHeaders: {} });

const withToken = (token: string) => ({ [OUTBOX_TOKEN_HEADER]: token });
const outboxLink = { name: 'development outbox' } as const;

test('OTP-07 RC-02: a stranger who asks for a reset link cannot read it: /dev/outbox and /api/dev/outbox answer 404 without the token or with a wrong one, and the suite’s token reads them', async ({
  page,
  request,
  allowConsole,
}) => {
  allowConsole(/status of 404/);
  // Each email's HTML part sits in a sandboxed frame; the test tools reaching into it are refused
  // (and the browser says so): the sandbox at work, not the page (decision 0021).
  const user = await createDedicatedUser('outbox-stranger');
  await page.goto('/forgot-password');
  await page.getByLabel('Username or email address').fill(user.username);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByText(/we have sent a link/)).toBeVisible();
  // The banner still says messages are not sent, but links nowhere.
  await expect(page.getByRole('complementary', { name: 'Development notice' })).toContainText(
    'not really sent',
  );
  await expect(page.getByRole('link', outboxLink)).toHaveCount(0);

  const refused = await page.goto('/dev/outbox');
  expect(refused!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Outbox' })).toHaveCount(0);
  for (const headers of [
    {} as Record<string, string>,
    withToken('wrong'),
    withToken(OUTBOX_TOKEN.slice(1)),
    withToken(`${OUTBOX_TOKEN}x`),
    { authorization: `Bearer ${OUTBOX_TOKEN}` },
  ]) {
    for (const path of ['/api/dev/outbox', '/dev/outbox']) {
      const answer = await request.get(path, { headers });
      expect(answer.status(), `${path} ${JSON.stringify(headers)}`).toBe(404);
      expect(await answer.text()).not.toContain(user.email);
    }
  }

  // The suite's token: the reset email is there, so the 404s above were refusals, not an empty outbox.
  const api = await request.get('/api/dev/outbox', { headers: withToken(OUTBOX_TOKEN) });
  expect(api.status()).toBe(200);
  const messages = (await api.json()) as { to: string }[];
  expect(messages.some((message) => message.to === user.email)).toBe(true);
  await page.setExtraHTTPHeaders(withToken(OUTBOX_TOKEN));
  const opened = await page.goto('/dev/outbox');
  expect(opened!.status()).toBe(200);
  await expect(page.getByText(user.email).first()).toBeVisible();
  await expect(page.getByRole('link', outboxLink)).toBeVisible();
});

test('OTP-07 RC-02: a signed-in user who is not an admin gets 404 from both; a signed-in admin reads the outbox without the token', async ({
  page,
  browser,
  baseURL,
  allowConsole,
}) => {
  allowConsole(/status of 404/);
  // Each email's HTML part sits in a sandboxed frame; the test tools reaching into it are refused
  // (and the browser says so): the sandbox at work, not the page (decision 0021).
  // Only the codes for signing in are read with the token; the browsers never carry it.
  const reader = await http.newContext({ baseURL, extraHTTPHeaders: withToken(OUTBOX_TOKEN) });
  const user = await createDedicatedUser('outbox-user');
  await signInByEmail(page, reader, baseURL!, user);
  await expect(page.getByRole('link', outboxLink)).toHaveCount(0);
  expect((await page.goto('/dev/outbox'))!.status()).toBe(404);
  expect((await page.request.get('/api/dev/outbox')).status()).toBe(404);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInWithCode(admin, reader, baseURL!, 'admin');
  await expect(admin.getByRole('link', outboxLink)).toBeVisible();
  expect((await admin.goto('/dev/outbox'))!.status()).toBe(200);
  await expect(admin.getByRole('heading', { name: 'Outbox' })).toBeVisible();
  expect((await admin.request.get('/api/dev/outbox')).status()).toBe(200);
  await adminContext.close();
  await reader.dispose();
});
