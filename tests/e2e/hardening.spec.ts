import { readFileSync } from 'node:fs';
import { expect, test, type Page } from './support/test';
import { DATABASE_URL_FILE, MAIN_PORT } from '../../playwright.config';
import { startExtraServer } from './support/extra-server';
import { createOwnUser, signInOwnUser, waitForHydratedForms } from './support/own-user';
import { DEMO_PASSWORD } from './support/sign-in';

// Hardening (issue 5): security headers and the nonce-based CSP, CSRF and GET safety of server
// actions (SE-08), tokens kept out of web storage (SE-09), cookie attributes (SE-04), and what a
// person sees when Redis or PostgreSQL is down (AV-01).

const nonceOf = (policy: string | undefined) => /'nonce-([^']+)'/.exec(policy ?? '')?.[1];

async function expectSignedIn(page: Page, username: string | null) {
  await page.goto('/account');
  if (username) await expect(page.getByTestId('signed-in-user')).toHaveText(username);
  else await expect(page).toHaveURL(/\/login/);
}

test('security headers on pages: a CSP with a fresh nonce and no unsafe-inline scripts, no framing, nosniff, referrer and permissions policies; no HSTS over plain HTTP', async ({
  request,
}) => {
  const nonces = new Set<string>();
  for (const path of ['/login', '/login', '/account', '/dev/outbox', '/no-such-page']) {
    const response = await request.get(path);
    const h = response.headers();
    const policy = h['content-security-policy'];
    const scriptSrc = policy
      ?.split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('script-src'));
    expect(scriptSrc, path).toMatch(/'nonce-[A-Za-z0-9+/]{22}=='/);
    expect(scriptSrc, path).not.toContain('unsafe-inline');
    expect(policy, path).toContain("frame-ancestors 'none'");
    expect(policy, path).toContain("object-src 'none'");
    expect(h['x-content-type-options'], path).toBe('nosniff');
    expect(h['x-frame-options'], path).toBe('DENY');
    expect(h['referrer-policy'], path).toBe('same-origin');
    expect(h['permissions-policy'], path).toContain('camera=()');
    expect(h['strict-transport-security'], `${path}: APP_ORIGIN is http here`).toBeUndefined();
    nonces.add(nonceOf(policy)!);
  }
  expect(nonces.size, 'every response has its own nonce').toBe(5);

  const html = await (await request.get('/login')).text();
  const stylesheet = /href="(\/_next\/static\/[^"]+\.css)"/.exec(html)?.[1];
  expect(stylesheet).toBeTruthy();
  expect(
    (await request.get(stylesheet!)).headers()['x-content-type-options'],
    'static files too',
  ).toBe('nosniff');
});

test("a page's scripts all carry this response's nonce, and markup injected into the page cannot run script", async ({
  page,
  allowConsole,
}) => {
  const response = await page.goto('/login');
  const nonce = nonceOf(response!.headers()['content-security-policy']);
  const tags = (await response!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(3);
  for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);

  // What a stored XSS would do: markup in the server's HTML. The policy header is kept as sent.
  await page.route('**/login', async (route) => {
    const original = await route.fetch();
    const injected =
      '<script>window.__inlineRan = true</script><img src="data:," onerror="window.__handlerRan = true">';
    await route.fulfill({
      response: original,
      body: (await original.text()).replace('</main>', `${injected}</main>`),
    });
  });
  // The browser reports each refusal in the console: expected here, and counted. The injected
  // markup is not in React's payload, so React also reports a hydration mismatch (#418).
  allowConsole(/Content.Security.Policy/i);
  allowConsole(/Minified React error #418\b/);
  const refusals: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) refusals.push(m.text());
  });
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign In' })).toBeVisible();
  await expect.poll(() => refusals.length).toBeGreaterThanOrEqual(2);
  expect(await page.evaluate(() => Object.keys(window).filter((k) => k.endsWith('Ran')))).toEqual(
    [],
  );
});

test('the whole sign-in with JavaScript: forms post over fetch, no CSP violation, no console error', async ({
  page,
}) => {
  // The console guard (support/test.ts) fails this test on a CSP violation or a console error.
  const user = await createOwnUser('csp');
  const actionCalls: string[] = [];
  page.on('request', (r) => {
    // Server actions carry Next-Action; the password step's own script asks its route for JSON.
    if (
      r.method() === 'POST' &&
      (r.headers()['next-action'] || r.headers()['accept'] === 'application/json')
    )
      actionCalls.push(new URL(r.url()).pathname);
  });
  await signInOwnUser(page, user, { deviceName: 'Hardening laptop' }, { scripted: true });
  await page.getByRole('link', { name: 'My Trusted Devices' }).click();
  await expect(page.getByRole('rowheader').getByText('Hardening laptop')).toBeVisible();
  await page.goto('/account');
  await waitForHydratedForms(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?notice=signed-out$/);
  // Hydrated forms post from script: proof that the nonce let the scripts run.
  expect(actionCalls).toEqual(
    expect.arrayContaining([
      '/login/password',
      '/login/method',
      '/login/verify/code',
      '/login/device',
      '/account',
    ]),
  );
});

test('SE-04 SE-09 auth cookies are HttpOnly, SameSite=Lax, Path=/ and host-only; no token is in localStorage or sessionStorage', async ({
  page,
  context,
}) => {
  const user = await createOwnUser('cookies');
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
  const ticket = (await context.cookies()).find((c) => c.name.endsWith('latchkey.ticket'));
  expect(ticket).toBeDefined();

  await signInOwnUser(page, user, { deviceName: 'Cookie jar' });
  const cookies = (await context.cookies()).filter((c) =>
    /latchkey\.(session|device)$/.test(c.name),
  );
  expect(cookies.map((c) => c.name.replace(/^.*latchkey\./, '')).sort()).toEqual([
    'device',
    'session',
  ]);
  for (const cookie of [ticket!, ...cookies]) {
    expect(cookie, cookie.name).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      domain: '127.0.0.1',
    });
    // Secure and __Host- only over https (lib/auth/cookies.test.ts): this server is plain http.
    expect(cookie.secure, cookie.name).toBe(false);
  }
  const secrets = [ticket!, ...cookies].map((c) => c.value);
  for (const path of ['/account', '/account/trusted-devices', '/login']) {
    await page.goto(path);
    const stored = await page.evaluate(() =>
      JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
    );
    for (const secret of secrets)
      expect(stored, `${path}: web storage must not hold a cookie value`).not.toContain(secret);
    expect(stored, `${path}: nothing token-shaped or JWT-shaped`).not.toMatch(
      /[A-Za-z0-9_-]{43}|eyJ[A-Za-z0-9_-]{10,}/,
    );
  }
  await page.goto('/account');
  expect(
    await page.evaluate(() => document.cookie),
    'scripts cannot read auth cookies',
  ).not.toMatch(/latchkey/);
});

test('SE-08 GET changes nothing: Auth.js sign-out by GET and a GET carrying a server-action id leave the session alive', async ({
  page,
}) => {
  const user = await createOwnUser('get');
  await signInOwnUser(page, user);
  const html = await (await page.request.get('/account')).text();
  const actionId = /name="\$ACTION_ID_([0-9a-f]+)"/.exec(html)?.[1];
  expect(actionId, 'the sign-out form names its server action').toBeTruthy();

  expect((await page.request.get('/api/auth/signout')).status()).toBeLessThan(500);
  await page.request.get('/account', { headers: { 'Next-Action': actionId! } });
  await page.request.get(`/account?$ACTION_ID_${actionId}=`);
  await expectSignedIn(page, user.username);
});

test('SE-08 a cross-origin POST to a server action is refused (Origin is checked against Host); the same POST from the origin works', async ({
  page,
  baseURL,
  allowConsole,
}) => {
  // The forged form post below is refused by Next.js with a 500, which the browser logs.
  allowConsole(/status of 500 \(Internal Server Error\) \(http:\/\/[^/]+\/account\)$/);
  const user = await createOwnUser('csrf');
  await signInOwnUser(page, user);
  const html = await (await page.request.get('/account')).text();
  const actionId = /name="\$ACTION_ID_([0-9a-f]+)"/.exec(html)![1]!;
  const form = { [`$ACTION_ID_${actionId}`]: '' };

  for (const origin of ['http://evil.example', 'null']) {
    const viaFetch = await page.request.post('/account', {
      headers: {
        Origin: origin,
        'Next-Action': actionId,
        'Content-Type': 'text/plain;charset=UTF-8',
      },
      data: '[]',
      maxRedirects: 0,
    });
    expect(viaFetch.status(), `fetch-style action from ${origin}`).toBeGreaterThanOrEqual(400);
    const viaForm = await page.request.post('/account', {
      headers: { Origin: origin },
      multipart: form,
      maxRedirects: 0,
    });
    expect(viaForm.status(), `form-style action from ${origin}`).toBeGreaterThanOrEqual(400);
    await expectSignedIn(page, user.username);
  }

  // A real browser on another site: its form post carries Origin: null and, SameSite=Lax, no cookie.
  const attacker = await page.context().newPage();
  await attacker.setContent(
    `<form method="post" enctype="multipart/form-data" action="${baseURL}/account"><input name="$ACTION_ID_${actionId}"><button>Go</button></form>`,
  );
  await Promise.all([
    attacker.waitForEvent('load'),
    attacker.getByRole('button', { name: 'Go' }).click(),
  ]);
  await attacker.close();
  await expectSignedIn(page, user.username);

  const sameOrigin = await page.request.post('/account', {
    headers: { Origin: baseURL! },
    multipart: form,
    maxRedirects: 0,
  });
  expect(sameOrigin.status(), 'the same request from the app itself signs out').toBe(303);
  await expectSignedIn(page, null);
});

test("SE-08 the password step (a route handler, not an action) refuses a cross-site post: no login CSRF into the attacker's account", async ({
  page,
  baseURL,
  allowConsole,
}) => {
  // The attacker's page lands on the 403, which the browser logs.
  allowConsole(/status of 403 \(Forbidden\) \(http:\/\/[^/]+\/login\/password\)$/);
  const attackerAccount = await createOwnUser('login-csrf');
  const form = { username: attackerAccount.username, password: attackerAccount.password };
  for (const headers of <Record<string, string>[]>[
    { Origin: 'http://evil.example' },
    { Origin: 'null' },
    { 'Sec-Fetch-Site': 'cross-site' },
  ]) {
    const forged = await page.request.post('/login/password', { headers, form, maxRedirects: 0 });
    expect(forged.status(), JSON.stringify(headers)).toBe(403);
    expect(forged.headers()['set-cookie'] ?? '', 'no ticket, no session').not.toMatch(/latchkey/);
  }

  // A real browser on another site posting the attacker's credentials: refused, nothing set.
  const attacker = await page.context().newPage();
  await attacker.setContent(
    `<form method="post" action="${baseURL}/login/password"><input name="username" value="${form.username}"><input name="password" value="${form.password}"><button>Go</button></form>`,
  );
  await Promise.all([
    attacker.waitForEvent('load'),
    attacker.getByRole('button', { name: 'Go' }).click(),
  ]);
  await attacker.close();
  expect((await page.context().cookies()).map((c) => c.name)).not.toContain('latchkey.ticket');
  await expectSignedIn(page, null);

  const sameOrigin = await page.request.post('/login/password', {
    headers: { Origin: baseURL! },
    form,
    maxRedirects: 0,
  });
  expect(sameOrigin.status(), 'the same post from the app itself goes on to the code step').toBe(
    303,
  );
  expect(sameOrigin.headers()['location']).toBe('/login/method');
});

test('frame-ancestors: another page cannot frame the sign-in form', async ({
  page,
  baseURL,
  allowConsole,
}) => {
  // The browser reports the refused framing in the console: the point of this test.
  allowConsole(
    /violates the following Content Security Policy directive: "frame-ancestors 'none'"/,
  );
  // setContent resolves on the parent's load event, which waits for the frame's navigation.
  await page.setContent(
    `<iframe title="victim" src="${baseURL}/login" width="600" height="400"></iframe>`,
  );
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(frame).toBeDefined();
  expect(await frame!.locator('input[name="password"]').count()).toBe(0);
});

test.describe('AV-01 outages, on servers of their own', () => {
  test.describe.configure({ timeout: 120_000 });

  test('AV-01 Redis down: the password step says "try again shortly", sets no cookie, and a pending sign-in shows "Try again shortly" with no stack trace', async ({
    browser,
  }) => {
    const server = await startExtraServer(MAIN_PORT + 2, {
      // A URL where nothing listens: every store call fails at once.
      UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1',
      UPSTASH_REDIS_REST_TOKEN: 'unreachable',
      MEMORY_STORE: '0',
      DATABASE_URL: e2eDatabaseUrl(),
    });
    const context = await browser.newContext({ baseURL: server.baseURL });
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Username').fill('demo');
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign In' }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'try again shortly' })).toHaveText(
        'Sign-in is unavailable right now. Nothing was changed; try again shortly.',
      );
      expect(await context.cookies()).toEqual([]);

      await context.addCookies([
        { name: 'latchkey.ticket', value: 'A'.repeat(43), url: server.baseURL },
      ]);
      await page.goto('/login/method');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Try again shortly');
      await expectNoStackTrace(page);
    } finally {
      await context.close();
      await server.stop();
    }
  });

  test('AV-01 PostgreSQL down: the password step says "try again shortly", and a page that needs the database shows the "Try again shortly" page with no stack trace', async ({
    browser,
    allowConsole,
  }) => {
    // The page that needs the database answers 500 on purpose, and its error boundary shows the
    // "Try again shortly" page; the browser logs the 500, React the server error it caught (#441).
    allowConsole(/status of 500 \(Internal Server Error\) \(http:\/\/[^/]+\/invite\//);
    allowConsole(/Minified React error #441\b/);
    const server = await startExtraServer(MAIN_PORT + 3, {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
      MEMORY_STORE: '1',
    });
    const context = await browser.newContext({ baseURL: server.baseURL });
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Username').fill('demo');
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign In' }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'try again shortly' })).toBeVisible();
      expect(await context.cookies()).toEqual([]);

      const response = await page.goto(`/invite/${'A'.repeat(43)}`);
      expect(response?.status()).toBe(500);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Try again shortly');
      await expect(page.getByText('Nothing was changed.')).toBeVisible();
      await expectNoStackTrace(page);
    } finally {
      await context.close();
      await server.stop();
    }
  });
});

const e2eDatabaseUrl = () => readFileSync(DATABASE_URL_FILE, 'utf8').trim();

async function expectNoStackTrace(page: Page) {
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(
    /\bat (async )?\S+ \(|Error:|Prisma|ECONNREFUSED|127\.0\.0\.1:1\b|StoreUnavailable|\.tsx?:\d+/,
  );
}
