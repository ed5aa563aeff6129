import { expect, type Page } from './test';
import { sql } from './database';
import { createDedicatedUser, type DedicatedUser } from './dedicated-user';

// Users of a spec's own (made by dedicated-user.ts, with the demo password), so that what the
// spec does (trusted devices, failed codes, audit rows) never changes what another spec finds on
// the seeded demo accounts; plus the two things the hardening, audit and naughty-string specs
// need beyond it: an admin role, and the code read straight from the outbox table (any server
// sharing the database, no polling of the 100-message outbox API).

/** `phone` only for admins: they get no email codes, so theirs go by SMS. */
export type OwnUser = DedicatedUser & { phone?: string };

export async function createOwnUser(
  prefix: string,
  options: { role?: 'user' | 'admin' } = {},
): Promise<OwnUser> {
  const user = await createDedicatedUser(prefix);
  if (options.role !== 'admin') return user;
  // A number of its own in the 555-01xx fiction range, from the user's random suffix.
  const phone = `+1415555${String(parseInt(user.id.slice(3, 7), 16) % 10_000).padStart(4, '0')}`;
  await sql(`UPDATE "User" SET role = 'admin', phone = $2 WHERE id = $1`, [user.id, phone]);
  return { ...user, phone };
}

/** The newest code sent to `to` (an email address or phone number) since `since`, read from the outbox table (bounded wait). */
export async function latestCode(to: string, since: Date): Promise<string> {
  let code: string | null = null;
  await expect
    .poll(async () => {
      const { rows } = await sql(
        `SELECT code FROM "OutboxMessage" WHERE "to" = $1 AND "sentAt" >= $2 AND code IS NOT NULL ORDER BY "sentAt" DESC, id DESC LIMIT 1`,
        [to, new Date(since.getTime() - 1000)],
      );
      code = (rows[0]?.code as string | undefined) ?? null;
      return code !== null;
    })
    .toBe(true);
  return code!;
}

/**
 * Waits until React has hydrated every form on the page (it keeps an element's props under a
 * `__reactProps$…` key): a click before that submits the form natively, which works (every form
 * does without JavaScript) but is not the scripted path a test of that path means to take.
 */
export async function waitForHydratedForms(page: Page) {
  await page.waitForFunction(() => {
    const forms = [...document.querySelectorAll('form')];
    return (
      forms.length > 0 &&
      forms.every((form) => Object.keys(form).some((key) => key.startsWith('__reactProps$')))
    );
  });
}

type Scripted = { scripted?: boolean };

async function typePassword(page: Page, user: OwnUser, { scripted }: Scripted = {}) {
  await page.goto('/login');
  if (scripted) await waitForHydratedForms(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
}

/** The password step in a browser without cookies (so not trusted, not signed in): ends on the method choice. */
export async function passwordStep(page: Page, user: OwnUser) {
  await page.context().clearCookies();
  await typePassword(page, user);
}

/**
 * Password, email code, and optionally "trust this browser" with a name; ends on the account page.
 * Returns the code. `scripted`: each form is submitted only once React has hydrated it (the pages
 * after a full navigation hydrate a moment after they show).
 */
export async function signInOwnUser(
  page: Page,
  user: OwnUser,
  trust?: { deviceName: string },
  { scripted }: Scripted = {},
): Promise<string> {
  const since = new Date();
  await typePassword(page, user, { scripted });
  if (scripted) await waitForHydratedForms(page);
  await page.getByRole('radio', { name: user.phone ? /^SMS/ : /^Email/ }).check();
  await page.getByRole('button', { name: 'Proceed' }).click();
  await expect(page).toHaveURL(/\/login\/verify/);
  const code = await latestCode(user.phone ?? user.email, since);
  if (scripted) await waitForHydratedForms(page);
  await page.getByLabel('Security code').fill(code);
  if (trust) await page.getByLabel("Don't require OTP on this browser").check();
  await page.getByRole('button', { name: 'Verify' }).click();
  if (trust) {
    await expect(page).toHaveURL(/\/login\/device$/);
    if (scripted) await waitForHydratedForms(page);
    await page.getByLabel('Device name').fill(trust.deviceName);
    await page.getByRole('button', { name: 'Login' }).click();
  }
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  return code;
}
