import { expect, test, type ConsoleGuard, type Page } from './support/test';

// The console guard of tests/e2e/support/test.ts, tested: it records what it must, in every
// context a test can open, and a recorded problem really fails the test. Each recording test
// empties the guard's list once it has checked it, so that test itself passes.

/** Waits until the guard holds a problem matching `pattern`, then forgets what it recorded. */
async function expectRecorded(guard: ConsoleGuard, pattern: RegExp) {
  await expect.poll(() => guard.problems.join('\n')).toMatch(pattern);
  guard.problems.length = 0;
}

const logError = (page: Page, text: string) =>
  page.evaluate((message) => console.error(message), text);

test('the guard records a console error of the test page', async ({ page, consoleGuard }) => {
  await page.goto('/login');
  await logError(page, 'guard check: default page');
  await expectRecorded(consoleGuard, /console\.error: guard check: default page/);
});

test('the guard records an uncaught exception and an unhandled rejection as page errors', async ({
  page,
  consoleGuard,
}) => {
  await page.goto('/login');
  await page.evaluate(() => setTimeout(() => Promise.reject(new Error('guard check: rejection'))));
  await expectRecorded(consoleGuard, /page error: Error: guard check: rejection/);
  await page.evaluate(() =>
    setTimeout(() => {
      throw new TypeError('guard check: thrown');
    }),
  );
  await expectRecorded(consoleGuard, /page error: TypeError: guard check: thrown/);
});

test('the guard records a hydration warning logged below the error level', async ({
  page,
  consoleGuard,
}) => {
  await page.goto('/login');
  await page.evaluate(() => console.warn("A tree hydrated but some attributes didn't match"));
  await expectRecorded(consoleGuard, /console\.warning: A tree hydrated/);
});

test('the guard watches pages of browser.newContext() and of browser.newPage()', async ({
  browser,
  baseURL,
  consoleGuard,
}) => {
  const context = await browser.newContext({ baseURL });
  const second = await context.newPage();
  await second.goto('/login');
  await logError(second, 'guard check: new context');
  await expectRecorded(consoleGuard, /guard check: new context/);

  const own = await browser.newPage({ baseURL });
  await own.goto('/login');
  await logError(own, 'guard check: new page');
  await expectRecorded(consoleGuard, /guard check: new page/);

  const noScript = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const missing = await noScript.newPage();
  await missing.goto('/no-such-page');
  await expectRecorded(consoleGuard, /console\.error: Failed to load resource: .* 404/);
  await Promise.all([context.close(), own.close(), noScript.close()]);
});

test('the guard records a production hydration mismatch (React error #418, served by next start)', async ({
  page,
  consoleGuard,
}) => {
  // The server's HTML says one thing in the heading, the page's React payload another: exactly a
  // hydration mismatch, which the production build reports as a minified recoverable error.
  await page.route('**/login', async (route) => {
    const original = await route.fetch();
    const html = await original.text();
    const changed = html.replace(/(<h1[^>]*>)([^<]+)(<\/h1>)/, '$1Not what React renders$3');
    expect(changed, 'the sign-in page has a heading to change').not.toBe(html);
    await route.fulfill({ response: original, body: changed });
  });
  await page.goto('/login');
  await expectRecorded(consoleGuard, /Minified React error #418/);
});

test('allowConsole lets a named message through and nothing else', async ({
  page,
  consoleGuard,
  allowConsole,
}) => {
  allowConsole(/guard check: expected/);
  await page.goto('/login');
  await logError(page, 'guard check: expected');
  await logError(page, 'guard check: unexpected');
  await expectRecorded(consoleGuard, /guard check: unexpected/);
  await logError(page, 'guard check: expected');
  await page.evaluate(() => new Promise(requestAnimationFrame));
  expect(consoleGuard.problems).toEqual([]);
});

// test.fail(): these tests pass only if the guard fails them, so a guard that stopped failing
// tests would turn them red.
test.describe('a recorded problem fails the test', () => {
  test.fail('a console error fails the test', async ({ page }) => {
    await page.goto('/login');
    await Promise.all([page.waitForEvent('console'), logError(page, 'guard check: must fail')]);
  });

  test.fail(
    'a page error in a page of browser.newPage() fails the test',
    async ({ browser, baseURL }) => {
      const own = await browser.newPage({ baseURL });
      await own.goto('/login');
      await Promise.all([
        own.waitForEvent('pageerror'),
        own.evaluate(() =>
          setTimeout(() => {
            throw new Error('guard check: must fail');
          }),
        ),
      ]);
    },
  );
});

test("the browser's own request for /favicon.ico finds the app's icon, so no page logs a 404 for it", async ({
  request,
}) => {
  const response = await request.get('/favicon.ico');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/x-icon');
});
