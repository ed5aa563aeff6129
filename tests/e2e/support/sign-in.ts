import { expect, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const DEMO_PASSWORD = 'open-sesame-2026';

type OutboxMessage = { id: string; channel: string; to: string; subject: string | null; body: string; code: string | null; sentAt: string };

/**
 * The newest message to `to` by `channel` sent after `since`, read from the outbox API the way a
 * person would read their phone: waits until it arrives (bounded by expect's timeout).
 */
export async function readCode(request: APIRequestContext, baseURL: string, filter: { to: string; channel: string; since: Date }) {
  let found: OutboxMessage | undefined;
  await expect
    .poll(async () => {
      const response = await request.get(`${baseURL}/api/dev/outbox`);
      expect(response.ok()).toBe(true);
      const messages = (await response.json()) as OutboxMessage[];
      found = messages.find(
        (m) => m.to === filter.to && m.channel === filter.channel && new Date(m.sentAt).getTime() >= filter.since.getTime() - 1000,
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
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}
