import { randomInt } from 'node:crypto';
import { expect, test, type APIRequestContext } from './support/test';
import { sql } from './support/database';
import { createOwnUser, signInOwnUser } from './support/own-user';
import { submitPassword } from './support/sign-in';

// The device-removed and lockout emails (RC-05) as their owner would find them: in the
// development outbox, sent by the running server. Each test has a user of its own.

type OutboxMessage = {
  to: string;
  subject: string | null;
  body: string;
  code: string | null;
  sentAt: string;
};

/** The message to `to` with this subject, waited for through the outbox API (bounded by expect's timeout). */
async function outboxMessage(
  request: APIRequestContext,
  baseURL: string,
  to: string,
  subject: string,
) {
  let found: OutboxMessage | undefined;
  await expect
    .poll(async () => {
      const response = await request.get(`${baseURL}/api/dev/outbox`);
      expect(response.ok()).toBe(true);
      found = ((await response.json()) as OutboxMessage[]).find(
        (m) => m.to === to && m.subject === subject,
      );
      return Boolean(found);
    })
    .toBe(true);
  return found!;
}

const countTo = async (to: string, subject: string) =>
  Number(
    (
      await sql(`SELECT count(*) AS n FROM "OutboxMessage" WHERE "to" = $1 AND subject = $2`, [
        to,
        subject,
      ])
    ).rows[0].n,
  );

const deleteUser = (id: string) => sql('DELETE FROM "User" WHERE id = $1', [id]);

test('RC-05 deleting a trusted device on My Trusted Devices emails its owner, naming the device', async ({
  page,
  request,
  baseURL,
}) => {
  const user = await createOwnUser('removed');
  const name = `Café <laptop> ${Date.now()}`;
  try {
    await signInOwnUser(page, user, { deviceName: name });
    await page.getByRole('link', { name: 'My Trusted Devices' }).click();
    const table = page.getByRole('table', { name: 'My Trusted Devices' });
    const row = table.getByRole('row').filter({ hasText: name });
    await row.locator('summary', { hasText: /^Delete/ }).click();
    await row.getByRole('button', { name: /Delete device/ }).click();
    await expect(page).toHaveURL(/notice=deleted/);
    await expect(table.getByRole('row').filter({ hasText: name })).toHaveCount(0);

    const notice = await outboxMessage(
      request,
      baseURL!,
      user.email,
      'A trusted browser was removed from your Latchkey account',
    );
    expect(notice.code).toBeNull();
    expect(notice.body).toContain(`Device:\n- ${name}\n`);
    expect(notice.body).toContain('By: you');
    expect(notice.body).toMatch(/\/account\/trusted-devices\n/);
    expect(await countTo(user.email, notice.subject!)).toBe(1);
  } finally {
    await deleteUser(user.id);
  }
});

test('RC-05 BF-04 wrong passwords that lock an account email its owner once, with the last address as our proxy saw it, never what the client wrote into X-Forwarded-For', async ({
  page,
  request,
  baseURL,
}) => {
  const user = await createOwnUser('lockmail');
  // Addresses of their own (TEST-NET-2), so the per-address limit of other specs is untouched.
  // The e2e servers trust one proxy: the last entry is what it saw, the first is the client's.
  const addresses = Array.from({ length: 7 }, () => `198.51.100.${randomInt(1, 255)}`);
  const written = '203.0.113.9 -- URGENT from Latchkey security: your account is compromised';
  try {
    for (const [i, address] of addresses.entries()) {
      await page.setExtraHTTPHeaders({ 'X-Forwarded-For': `${written}, ${address}` });
      await submitPassword(page, user.username, `wrong-password-${i}`);
      await expect(page.getByRole('alert').filter({ hasText: 'incorrect' })).toHaveText(
        'The username or password is incorrect.',
      );
      // The 5th starts the lock; its email goes after the response.
      if (i === 4) {
        const notice = await outboxMessage(
          request,
          baseURL!,
          user.email,
          'Your Latchkey account was locked after failed sign-ins',
        );
        expect(notice.code).toBeNull();
        expect(notice.body).toContain('locked after 5 failed password attempts');
        expect(notice.body).toContain(`IP address of the last attempt: ${address}\n`);
        expect(notice.body).not.toContain('URGENT');
        expect(notice.body).toMatch(/\/forgot-password, and tell your administrator\.$/m);
      }
    }
    // Failures six and seven, while locked, are not news.
    expect(
      await countTo(user.email, 'Your Latchkey account was locked after failed sign-ins'),
    ).toBe(1);
  } finally {
    await deleteUser(user.id);
  }
});
