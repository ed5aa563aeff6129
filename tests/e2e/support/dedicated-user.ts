import { randomBytes } from 'node:crypto';
import { expect, type APIRequestContext, type Page } from './test';
import { sql } from './database';
import { chooseChannel, DEMO_PASSWORD, enterCode, readCode, submitPassword } from './sign-in';

// A user of one test's own, made straight in the database with the demo password (its argon2id
// hash is copied from the seeded demo user), email only. Journeys that change a password or end
// every session use one, so the demo users keep working for the other specs in the run.

export type DedicatedUser = { id: string; username: string; email: string; password: string };

export async function createDedicatedUser(prefix: string): Promise<DedicatedUser> {
  const suffix = randomBytes(4).toString('hex');
  const user = {
    id: `e2e${suffix}${Date.now().toString(36)}`,
    username: `${prefix}-${suffix}`,
    email: `${prefix}-${suffix}@example.com`,
    password: DEMO_PASSWORD,
  };
  await sql(
    `INSERT INTO "User" (id, username, "usernameKey", name, email, "passwordHash", "updatedAt")
     SELECT $1, $2, $2, $3, $4, "passwordHash", now() FROM "User" WHERE username = 'demo'`,
    [user.id, user.username, `E2E ${prefix}`, user.email],
  );
  return user;
}

/** Password, then an emailed code; ends on the account page. `trust` ticks the box and keeps the prefilled name. */
export async function signInByEmail(
  page: Page,
  request: APIRequestContext,
  baseURL: string,
  user: DedicatedUser,
  options: { password?: string; trust?: boolean } = {},
) {
  const since = new Date();
  await submitPassword(page, user.username, options.password ?? user.password);
  await chooseChannel(page, 'Email');
  const message = await readCode(request, baseURL, { to: user.email, channel: 'email', since });
  if (options.trust) {
    await page.getByLabel('Security code').fill(message.code);
    await page.getByLabel("Don't require OTP on this browser").check();
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Login' }).click();
  } else {
    await enterCode(page, message.code);
  }
  await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
}

/** The newest email to `to` with `subject`, sent after `since` (polled, as a person checks their inbox). */
export async function readEmail(
  request: APIRequestContext,
  baseURL: string,
  filter: { to: string; subject: string; since: Date },
) {
  type Message = {
    to: string;
    subject: string | null;
    body: string;
    code: string | null;
    sentAt: string;
  };
  let found: Message | undefined;
  await expect
    .poll(async () => {
      const messages = (await (await request.get(`${baseURL}/api/dev/outbox`)).json()) as Message[];
      found = messages.find(
        (m) =>
          m.to === filter.to &&
          m.subject === filter.subject &&
          new Date(m.sentAt).getTime() >= filter.since.getTime() - 1000,
      );
      return Boolean(found);
    })
    .toBe(true);
  return found!;
}
