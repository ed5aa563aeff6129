import { expect, type Page } from './test';
import { sql } from './database';

// The admin's "Confirm it's you" step (SE-07, decision 12) on an admin user page: changes to how
// a user signs in need the admin's own code entered within SENSITIVE_ACTION_WINDOW_MINUTES.
// Journeys that drive such a change call confirmAdminCode first; it reads the code the way a
// person reads their inbox, from the outbox table.

const SUBJECT = 'Your Latchkey code to confirm it’s you';

/** The step's card on an admin page (`/admin/users/<id>` or `/admin/users/new`). */
export const confirmAdminSection = (page: Page) => page.locator('#confirm-admin');

/** The newest "confirm it's you" code emailed to `to` since `since` (bounded wait). */
export async function latestFreshCode(to: string, since: Date): Promise<string> {
  let code: string | null = null;
  await expect
    .poll(async () => {
      const { rows } = await sql(
        `SELECT code FROM "OutboxMessage" WHERE "to" = $1 AND subject = $2 AND "sentAt" >= $3 AND code IS NOT NULL ORDER BY "sentAt" DESC, id DESC LIMIT 1`,
        [to, SUBJECT, new Date(since.getTime() - 1000)],
      );
      code = (rows[0]?.code as string | undefined) ?? null;
      return code !== null;
    })
    .toBe(true);
  return code!;
}

/**
 * On an admin page: sends the admin a code, reads it from the outbox and enters it. Nothing to do
 * when the admin already confirmed within the window (one code serves every sensitive page).
 */
export async function confirmAdminCode(page: Page, adminEmail: string) {
  const section = confirmAdminSection(page);
  const confirmed = section.getByTestId('admin-fresh-until');
  const send = section.getByRole('button', { name: /^(Send me a code|Send a new code)$/ });
  await expect(confirmed.or(send.first())).toBeVisible();
  if (await confirmed.isVisible()) return;

  const since = new Date();
  await send.first().click();
  await expect(section.getByText('A security code was sent to your email address.')).toBeVisible();
  await expect(section.getByText(adminEmail, { exact: true })).toBeVisible();
  await section.getByLabel('Security code').fill(await latestFreshCode(adminEmail, since));
  await section.getByRole('button', { name: 'Verify' }).click();
  await expect(confirmed).toBeVisible();
}
