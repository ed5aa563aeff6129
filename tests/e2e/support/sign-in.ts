import { expect, type APIRequestContext, type Page } from './test';
import AxeBuilder from '@axe-core/playwright';

export const DEMO_PASSWORD = 'open-sesame-2026';

type OutboxMessage = {
  id: string;
  channel: string;
  to: string;
  subject: string | null;
  body: string;
  code: string | null;
  sentAt: string;
};

/**
 * The newest message to `to` by `channel` sent after `since`, read from the outbox API the way a
 * person would read their phone: waits until it arrives (bounded by expect's timeout).
 */
export async function readCode(
  request: APIRequestContext,
  baseURL: string,
  filter: { to: string; channel: string; since: Date },
) {
  let found: OutboxMessage | undefined;
  await expect
    .poll(async () => {
      const response = await request.get(`${baseURL}/api/dev/outbox`);
      expect(response.ok()).toBe(true);
      const messages = (await response.json()) as OutboxMessage[];
      found = messages.find(
        (m) =>
          m.to === filter.to &&
          m.channel === filter.channel &&
          new Date(m.sentAt).getTime() >= filter.since.getTime() - 1000,
      );
      return Boolean(found);
    })
    .toBe(true);
  return found as OutboxMessage & { code: string };
}

export async function submitPassword(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign In' }).click();
}

/** Picks a channel on the method page and returns when the code page shows. */
export async function chooseChannel(page: Page, label: 'Email' | 'SMS' | 'Voice call') {
  await expect(page).toHaveURL(/\/login\/method$/);
  await page.getByRole('radio', { name: new RegExp(`^${label}`) }).check();
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/verify/);
}

export async function enterCode(page: Page, code: string) {
  await page.getByLabel('Security code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

export async function expectNoAxeViolations(page: Page) {
  // After a client-side navigation Next.js sets the new page's <title> a moment after its content:
  // the check waits for it rather than catching the page in between (every page has a title).
  await expect(page).toHaveTitle(/\S/);
  // The outbox's email previews are sandboxed frames without scripts: axe cannot run in them and
  // waits a second per frame before giving up (a full outbox outlasts the test). Each email's own
  // markup is checked on a page of its own in html-email.spec.ts.
  const results = await new AxeBuilder({ page }).exclude('iframe[sandbox]').analyze();
  expect(
    results.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
  ).toEqual([]);
}

const destinations: Record<string, { email: string; phone?: string }> = {
  admin: { email: 'admin@example.com', phone: '+14155550100' },
  demo: { email: 'demo@example.com', phone: '+14155550101' },
  'demo-email': { email: 'demo-email@example.com' },
};

/** Password and a code (by email; by SMS for the admin), with "Don't require OTP on this browser" ticked or not. */
export async function passwordAndCode(
  page: Page,
  request: APIRequestContext,
  baseURL: string,
  username: string,
  trust: boolean,
) {
  const since = new Date();
  await submitPassword(page, username);
  // Administrators get no email codes (SIGN_IN_METHODS_ADMIN): the demo admin signs in by SMS.
  const byPhone = username === 'admin';
  await chooseChannel(page, byPhone ? 'SMS' : 'Email');
  const destination = destinations[username]!;
  const message = await readCode(request, baseURL, {
    to: byPhone ? destination.phone! : destination.email,
    channel: byPhone ? 'sms' : 'email',
    since,
  });
  await page.getByLabel('Security code').fill(message.code);
  if (trust) await page.getByLabel("Don't require OTP on this browser").check();
  await page.getByRole('button', { name: 'Verify' }).click();
  if (trust) await expect(page).toHaveURL(/\/login\/device$/);
}

/**
 * The whole sign-in with an emailed code, optionally trusting this browser under a name (the
 * prefilled one when `deviceName` is undefined). Ends on the account page.
 */
export async function signInWithCode(
  page: Page,
  request: APIRequestContext,
  baseURL: string,
  username: string,
  trust?: { deviceName?: string },
) {
  await passwordAndCode(page, request, baseURL, username, !!trust);
  if (trust) {
    if (trust.deviceName !== undefined) await page.getByLabel('Device name').fill(trust.deviceName);
    await page.getByRole('button', { name: 'Login' }).click();
  }
  await expect(page.getByTestId('signed-in-user')).toHaveText(username);
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
}

/** Password only; returns where the browser landed: the account page (trusted) or the method page. */
export async function signInExpecting(
  page: Page,
  username: string,
  expected: 'account' | 'method',
) {
  await submitPassword(page, username);
  if (expected === 'account') await expect(page.getByTestId('signed-in-user')).toHaveText(username);
  else await expect(page).toHaveURL(/\/login\/method$/);
}
