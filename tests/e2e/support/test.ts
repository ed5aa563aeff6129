import { test as base, expect, type BrowserContext, type ConsoleMessage } from '@playwright/test';

// Every e2e test imports `test` from here: a console error, a hydration warning, a Content
// Security Policy violation or a page error in any page of any context the test opens fails the
// test. Tests that provoke an error on purpose (a refused request the browser logs) name what
// they expect with `allowConsole(/pattern/)`. tests/e2e/console-guard.spec.ts proves the guard
// fails where it should.

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

export type ConsoleGuard = { problems: string[]; allowed: RegExp[] };

/**
 * Trouble whatever the console level. React's development build words hydration problems out
 * ("Hydration failed…", "…didn't match…"); the production build (what `next start` serves) reports
 * them as minified recoverable errors through `reportError`, which surface as page errors:
 * #418 (the server HTML did not match), #419 (a Suspense boundary the server could not finish),
 * #422 and #423 (React threw the server HTML away and rendered on the client).
 */
const ALWAYS_A_PROBLEM = [
  /hydrat|did(?:n't| not) match|server rendered (?:html|text)/i,
  /Minified React error #(?:418|419|422|423)\b/,
  /Content[ -]Security[ -]Policy|Refused to (?:load|execute|apply|connect|frame|evaluate)/i,
];
const FAILING_LEVELS = new Set(['error', 'assert']);
/**
 * Lines the test harness itself causes, which no visitor sees: Playwright runs its helper script in
 * every frame, and Chromium logs the refusal for the outbox's email preview, an iframe sandboxed
 * without `allow-scripts` whose document holds no script of its own (html-email.spec.ts checks).
 */
const HARNESS_ONLY = [
  /^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/,
];

function watch(context: BrowserContext, guard: ConsoleGuard) {
  const allowed = (text: string) =>
    [...HARNESS_ONLY, ...guard.allowed].some((pattern) => pattern.test(text));
  context.on('console', (message: ConsoleMessage) => {
    const text = message.text();
    const kind = message.type();
    if (!FAILING_LEVELS.has(kind) && !ALWAYS_A_PROBLEM.some((pattern) => pattern.test(text)))
      return;
    const where = message.location().url;
    // A pattern may name the address too: "404 … (http://…/admin/users)".
    const line = `${text}${where ? ` (${where})` : ''}`;
    if (allowed(line)) return;
    guard.problems.push(`console.${kind}: ${line}`);
  });
  // Uncaught exceptions and unhandled rejections of every page in the context, and what React
  // hands to `reportError` (recoverable errors, production hydration mismatches).
  context.on('weberror', (error) => {
    const text = `${error.error().name}: ${error.error().message}`;
    if (allowed(text)) return;
    guard.problems.push(`page error: ${text}`);
  });
}

export const test = base.extend<{
  consoleGuard: ConsoleGuard;
  allowConsole: (pattern: RegExp) => void;
}>({
  consoleGuard: [
    async ({ context, browser }, provide) => {
      const guard: ConsoleGuard = { problems: [], allowed: [] };
      const watched = new WeakSet<BrowserContext>();
      const watchOnce = (opened: BrowserContext) => {
        if (watched.has(opened)) return;
        watched.add(opened);
        watch(opened, guard);
      };
      watchOnce(context);
      // Every context the test opens itself: browser.newContext() (a second person, a browser
      // without JavaScript) and browser.newPage(), which opens a context of its own.
      browser.on('context', watchOnce);
      try {
        await provide(guard);
      } finally {
        browser.off('context', watchOnce);
      }
      expect(guard.problems, 'the browser console stays clean').toEqual([]);
    },
    { auto: true },
  ],
  allowConsole: async ({ consoleGuard }, provide) => {
    await provide((pattern) => consoleGuard.allowed.push(pattern));
  },
});
