import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  expect,
  request as http,
  test,
  type APIRequestContext,
  type APIResponse,
  type Page,
} from './support/test';
import { DATABASE_URL_FILE, MAIN_PORT } from '../../playwright.config';
import { parseDeviceName } from '../../lib/devices/device-name';
import { startExtraServer, type ExtraServer } from './support/extra-server';
import { createOwnUser, latestCode, type OwnUser } from './support/own-user';

// Every string of the Big List of Naughty Strings through every field of the sign-in flow
// (username, password, code, device name): never a server error or the error page, and whatever
// the page shows back is text. ~500 strings × 4 fields would be ~2,000 browser round trips, so
// the forms are posted the way a browser without JavaScript posts them (multipart with the
// server action's hidden fields, which the page renders), several at a time, and the answers are
// parsed by the browser's own HTML parser (DOMParser: inert, nothing runs) in batches.
//
// ~500 failed passwords would spend the per-address budget (BF-05) of the shared e2e server for
// the specs after this one, so these tests run on a server of their own (same database), and each
// password post comes from its own documentation address (X-Forwarded-For: the e2e servers trust
// one proxy hop, TRUSTED_PROXY_HOPS=1, and this is what it saw) so every string reaches the
// password check.

const BLNS_PATH = path.resolve(process.cwd(), '../shared/testdata/blns.json');
const blns: string[] = existsSync(BLNS_PATH) ? JSON.parse(readFileSync(BLNS_PATH, 'utf8')) : [];
const LANES = 4;
/** What a broken answer looks like: the error page or the outage message. */
const BROKEN = /Try again shortly|Something went wrong|unavailable right now/;

test.skip(
  blns.length === 0,
  `${BLNS_PATH} is absent (a clone without ../shared): nothing to test with`,
);
test.describe.configure({ timeout: 180_000 });

let server: ExtraServer;
test.beforeAll(async () => {
  const probe = new FormData();
  probe.set('field', '\uFEFF');
  const read = (
    await new Request('http://127.0.0.1/', { method: 'POST', body: probe }).formData()
  ).get('field');
  asPosted = read === '' ? (s) => s.replace(/^\uFEFF/, '') : (s) => s;
  server = await startExtraServer(MAIN_PORT + 4, {
    DATABASE_URL: readFileSync(DATABASE_URL_FILE, 'utf8').trim(),
    MEMORY_STORE: '1',
    OTP_RESEND_COOLDOWN_SECONDS: '0',
  });
});
test.afterAll(async () => {
  await server?.stop();
});

type Answer = { status: number; location: string; html: string };
const hiddenFields = new Map<string, Record<string, string>>();
const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The hidden `$ACTION_…` inputs of the form on `pathname` that has a field named `field`. */
async function actionFields(client: APIRequestContext, pathname: string, field: string) {
  const key = `${pathname} ${field}`;
  if (!hiddenFields.has(key)) {
    const html = await (await client.get(pathname)).text();
    const form = html.split('<form').find((f) => f.includes(`name="${field}"`));
    expect(form, `${pathname} has a form with ${field}`).toBeTruthy();
    const fields = Object.fromEntries(
      [...form!.matchAll(/<input type="hidden" name="(\$ACTION_[^"]+)"(?: value="([^"]*)")?/g)].map(
        (m) => [m[1]!, decode(m[2] ?? '')],
      ),
    );
    hiddenFields.set(key, fields);
  }
  return hiddenFields.get(key)!;
}

/** The sign-in's hot steps post to route handlers, not to a server action of their page. */
const ROUTE_OF_PAGE: Record<string, string> = {
  '/login': '/login/password',
  '/login/verify': '/login/verify/code',
};

/**
 * Posts a form as a no-JavaScript browser would: to its route handler, following a refusal's
 * 303 back to the form's page (which shows the message), or to its page's server action.
 */
async function post(
  client: APIRequestContext,
  pathname: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const route = ROUTE_OF_PAGE[pathname];
  const response: APIResponse = route
    ? await client.post(route, { form: fields, maxRedirects: 0, headers })
    : await client.post(pathname, {
        multipart: {
          ...(await actionFields(client, pathname, Object.keys(fields)[0]!)),
          ...fields,
        },
        maxRedirects: 0,
        headers,
      });
  const header = response.headers().location;
  // Auth.js redirects with absolute URLs, Next with paths: compare paths.
  const location = header ? new URL(header, response.url()).pathname : '';
  if (route && response.status() === 303 && location === pathname) {
    const page = await client.get(pathname, { headers });
    return { status: page.status(), location: '', html: await page.text() };
  }
  return { status: response.status(), location, html: await response.text() };
}

/**
 * What a server action reads from a multipart field. Node.js 20's multipart parser drops a
 * leading byte-order mark as it decodes; Node.js 22 and later keep it, as the Fetch standard's
 * parser does. The server is `next start` on the first `node` on the PATH, which is also what
 * `npm run test:e2e` runs these tests on, so beforeAll asks this process's parser which it is.
 */
let asPosted: (s: string) => string;

function expectAnswered(answer: Answer, what: string) {
  expect(answer.status, what).toBeLessThan(500);
  expect(answer.html, what).not.toMatch(BROKEN);
}

/** Runs `work` over `items`, `lanes` at a time. */
async function inLanes<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T, lane: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (next < items.length) await work(items[next++]!, lane);
    }),
  );
}

type Rendered = {
  html: string;
  label: string;
  field?: { id: string; value: string };
  rowHeader?: string;
};

/**
 * In the browser's parser: each field shows exactly what is expected, every script carries the
 * page's nonce, and no element has an inline event handler. Returns one line per problem.
 */
async function renderProblems(page: Page, answers: Rendered[]): Promise<string[]> {
  const problems: string[] = [];
  for (let i = 0; i < answers.length; i += 100) {
    const batch = answers.slice(i, i + 100);
    problems.push(
      ...(await page.evaluate(
        (items) =>
          items.flatMap(({ html, label, field, rowHeader }) => {
            const doc = new DOMParser().parseFromString(html, 'text/html');
            const found: string[] = [];
            const nonces = new Set(
              [...doc.querySelectorAll('script')].map((s) => s.getAttribute('nonce')),
            );
            if (nonces.size > 1 || nonces.has(null)) found.push('a script without the nonce');
            for (const element of doc.querySelectorAll('*'))
              for (const attribute of element.attributes)
                if (/^on/i.test(attribute.name))
                  found.push(`<${element.localName} ${attribute.name}>`);
            if (field) {
              const value = (doc.getElementById(field.id) as HTMLInputElement | null)?.value;
              if (value !== field.value) found.push(`#${field.id} shows ${JSON.stringify(value)}`);
            }
            if (rowHeader !== undefined) {
              const shown = doc.querySelector('th[scope="row"] .wrap-anywhere')?.textContent;
              if (shown !== rowHeader) found.push(`the list shows ${JSON.stringify(shown)}`);
            }
            return found.map((f) => `${label}: ${f}`);
          }),
        batch,
      )),
    );
  }
  return problems;
}

const clientsFor = (count: number) =>
  Promise.all(
    Array.from({ length: count }, () =>
      http.newContext({ baseURL: server.baseURL, extraHTTPHeaders: { Origin: server.baseURL } }),
    ),
  );

/** 198.18.0.0/15 is for benchmarks (RFC 2544): one address per post. */
const addressFor = (i: number) => ({ 'X-Forwarded-For': `198.18.${(i >> 8) & 255}.${i & 255}` });

test('every naughty string as username and as password: a plain refusal, the username shown back as typed, as text, the password never', async ({
  page,
}) => {
  const clients = await clientsFor(LANES);
  const rendered: Rendered[] = [];
  // One post carries the string in both fields (an unknown user: the password is still hashed,
  // against the dummy hash). A username that is blank gets its password checked on its own.
  const posts = [
    ...blns.map((s) => ({ s, username: s })),
    ...blns.filter((s) => s.trim() === '').map((s) => ({ s, username: 'naughty-nobody' })),
  ].map((p, i) => ({ ...p, from: addressFor(i) }));
  await inLanes(posts, LANES, async ({ s, username, from }, lane) => {
    const answer = await post(clients[lane]!, '/login', { username, password: s }, from);
    const what = `username and password ${JSON.stringify(s)}`;
    expectAnswered(answer, what);
    expect(answer.status, what).toBe(200);
    expect(answer.html, what).toMatch(
      /The username or password is incorrect\.|Enter your username and password\./,
    );
    rendered.push({
      html: answer.html,
      label: JSON.stringify(s),
      // Posted URL-encoded to the route handler, whose form decoding keeps even a leading BOM.
      field: { id: 'username', value: username },
    });
    rendered.push({
      html: answer.html,
      label: JSON.stringify(s),
      field: { id: 'password', value: '' },
    });
  });
  expect(await renderProblems(page, rendered)).toEqual([]);
  await Promise.all(clients.map((c) => c.dispose()));
});

test('every naughty string as a security code: a clear refusal, never an error, and no sign-in', async ({
  page,
}) => {
  const user = await createOwnUser('naughty-code');
  const [client] = await clientsFor(1);
  await toCodeStep(client!, user, { submitCode: false });
  const rendered: Rendered[] = [];
  await inLanes(blns, LANES, async (s) => {
    const answer = await post(client!, '/login/verify', { code: s });
    expectAnswered(answer, `code ${JSON.stringify(s)}`);
    expect(answer.status, `code ${JSON.stringify(s)}`).toBe(200);
    rendered.push({
      html: answer.html,
      label: JSON.stringify(s),
      field: { id: 'code', value: '' },
    });
  });
  expect(await renderProblems(page, rendered)).toEqual([]);
  const { cookies } = await client!.storageState();
  expect(
    cookies.some((c) => c.name.endsWith('latchkey.session')),
    'no naughty code signed anyone in',
  ).toBe(false);
  await client!.dispose();
});

test('every naughty string as a device name: refused and shown back as typed, or kept (cleaned) and listed as text', async ({
  page,
}) => {
  const accepted = blns.filter((s) => parseDeviceName(s).ok);
  const refused = blns.filter((s) => !parseDeviceName(s).ok);
  // A name the device step accepts ends that sign-in, so each one costs a whole sign-in (four
  // posts, one argon2 hash). Every refused name and every 20th accepted one go through the step
  // itself; every accepted name also goes through "Rename" on My Trusted Devices, which applies
  // the same parseDeviceName, stores the name and lists it, at one post per name.
  const sample = accepted.filter((_, i) => i % 20 === 0);
  const user = await createOwnUser('naughty-device');
  const rendered: Rendered[] = [];

  const [stepClient] = await clientsFor(1);
  await toCodeStep(stepClient!, await createOwnUser('naughty-refused'), { trust: true });
  for (const s of refused) {
    const answer = await post(stepClient!, '/login/device', { name: s });
    expectAnswered(answer, `device name ${JSON.stringify(s)}`);
    expect(answer.status, `device name ${JSON.stringify(s)}`).toBe(200);
    rendered.push({
      html: answer.html,
      label: JSON.stringify(s),
      field: { id: 'device-name', value: asPosted(s) },
    });
  }
  await stepClient!.dispose();

  // Two lanes, a user each: codes are read by address, so one sign-in at a time per user.
  const laneUsers = await Promise.all([
    createOwnUser('naughty-device-a'),
    createOwnUser('naughty-device-b'),
  ]);
  await inLanes(sample, 2, async (s, lane) => {
    const [client] = await clientsFor(1);
    await toCodeStep(client!, laneUsers[lane]!, { trust: true });
    const answer = await post(client!, '/login/device', { name: s });
    expectAnswered(answer, `device name ${JSON.stringify(s)}`);
    expect([answer.status, answer.location], `device name ${JSON.stringify(s)}`).toEqual([
      303,
      '/account',
    ]);
    const listed = await client!.get('/account/trusted-devices');
    rendered.push({
      html: await listed.text(),
      label: `devices after trusting ${JSON.stringify(s)}`,
    });
    await client!.dispose();
  });

  // The rename target is the only device of its user, so it is the first row of the list.
  const [owner] = await clientsFor(1);
  await toCodeStep(owner!, user, { trust: true });
  expect((await post(owner!, '/login/device', { name: 'Rename target' })).location).toBe(
    '/account',
  );
  const devices = await (await owner!.get('/account/trusted-devices')).text();
  const deviceId = /<input type="hidden" name="deviceId" value="([^"]+)"/.exec(
    devices.slice(devices.indexOf('Rename target')),
  )?.[1];
  expect(deviceId).toBeTruthy();
  for (const s of blns) {
    const answer = await post(owner!, '/account/trusted-devices', { name: s, deviceId: deviceId! });
    expectAnswered(answer, `rename to ${JSON.stringify(s)}`);
    const parsed = parseDeviceName(s);
    rendered.push(
      parsed.ok
        ? {
            html: answer.html,
            label: `rename ${JSON.stringify(s)}`,
            field: { id: `rename-${deviceId}`, value: parsed.name },
            rowHeader: parsed.name,
          }
        : {
            html: answer.html,
            label: `rename ${JSON.stringify(s)}`,
            field: { id: `rename-${deviceId}`, value: asPosted(s) },
          },
    );
  }
  await owner!.dispose();
  expect(await renderProblems(page, rendered)).toEqual([]);
});

/** Password and an emailed code for `user`, up to the code step, or past it (asking to trust). */
async function toCodeStep(
  client: APIRequestContext,
  user: OwnUser,
  options: { submitCode?: boolean; trust?: boolean } = {},
) {
  const since = new Date();
  const password = await post(client, '/login', {
    username: user.username,
    password: user.password,
  });
  expect([password.status, password.location]).toEqual([303, '/login/method']);
  const method = await post(client, '/login/method', { channel: 'email' });
  expect([method.status, method.location]).toEqual([303, '/login/verify']);
  if (options.submitCode === false) return;
  const code = await latestCode(user.email, since);
  const verified = await post(client, '/login/verify', {
    code,
    ...(options.trust ? { trust: '1' } : {}),
  });
  expect([verified.status, verified.location]).toEqual([
    303,
    options.trust ? '/login/device' : '/account',
  ]);
}

// Not in the list, and the classic breaker of PostgreSQL text (which cannot hold U+0000): the
// sign-in step must answer it like any unknown username, not "unavailable".
test('a NUL byte in the username gets the plain refusal, not "unavailable"', async () => {
  const [client] = await clientsFor(1);
  const answer = await post(client!, '/login', {
    username: 'nul\u0000byte',
    password: 'not-the-password',
  });
  expectAnswered(answer, 'a NUL byte');
  expect(answer.html).toContain('The username or password is incorrect.');
  await client!.dispose();
});
