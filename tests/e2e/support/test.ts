import { test as base, expect, type BrowserContext, type ConsoleMessage } from '@playwright/test';

// Every e2e test imports `test` from here: a console error, a console warning about hydration or
// a page error in any page of any context the test opens fails the test. Tests that provoke an
// error on purpose (a refused request the browser logs) name what they expect with
// `allowConsole(/pattern/)`.

export { expect };
export { request } from '@playwright/test';
export type {
  APIRequestContext,
  APIResponse,
  Browser,
  BrowserContext,
  Locator,
  Page,
} from '@playwright/test';

type Guard = { problems: string[]; allowed: RegExp[] };

const HYDRATION = /hydrat|did not match|server rendered html/i;

function watch(context: BrowserContext, guard: Guard) {
  context.on('console', (message: ConsoleMessage) => {
    const text = message.text();
    const kind = message.type();
    if (kind !== 'error' && !(kind === 'warning' && HYDRATION.test(text))) return;
    if (guard.allowed.some((pattern) => pattern.test(text))) return;
    const where = message.location().url;
    guard.problems.push(`console.${kind}: ${text}${where ? ` (${where})` : ''}`);
  });
  context.on('weberror', (error) => {
    const text = error.error().message;
    if (guard.allowed.some((pattern) => pattern.test(text))) return;
    guard.problems.push(`page error: ${text}`);
  });
}

export const test = base.extend<{ consoleGuard: Guard; allowConsole: (pattern: RegExp) => void }>({
  consoleGuard: [
    async ({ context, browser }, provide) => {
      const guard: Guard = { problems: [], allowed: [] };
      watch(context, guard);
      // Contexts the test opens itself (a second browser, a no-JavaScript one) are watched too.
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const opened = await newContext(...args);
        watch(opened, guard);
        return opened;
      };
      await provide(guard);
      browser.newContext = newContext;
      expect(guard.problems, 'the browser console stays clean').toEqual([]);
    },
    { auto: true },
  ],
  allowConsole: async ({ consoleGuard }, provide) => {
    await provide((pattern) => consoleGuard.allowed.push(pattern));
  },
});
