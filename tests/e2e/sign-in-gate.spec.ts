import { readFileSync } from 'node:fs';
import { expect, request, test, type APIRequestContext, type APIResponse } from './support/test';
import { DATABASE_URL_FILE, MAIN_PORT } from '../../playwright.config';
import { startDatabaseRelay, type DatabaseRelay } from './support/database-relay';
import { startExtraServer, type ExtraServer } from './support/extra-server';
import { createOwnUser } from './support/own-user';

// Admission control (P5, decision 14) seen from a browser: when the instance's sign-in gate is
// full, a JavaScript sign-in is answered at once with "busy, try again", keeps what was typed, and
// works once the gate has room. Deterministically: a server of its own with one slot (so a queue
// of eight) reaches the database through a relay the test holds. Nine password steps posted as
// plain forms take the slot (waiting on the held database) and the whole queue; the password step's 503
// to a form post, which is answered before any work, says when the gate is full. Nothing waits
// on a clock.

const PORT = MAIN_PORT + 6;
const SLOTS = 1;
const QUEUE = 8 * SLOTS; // lib/auth/sign-in-gate.ts: eight places per slot with SIGN_IN_QUEUE_WAIT_MS=0
const BUSY = /Too many people are signing in right now\. Nothing was checked/;

let relay: DatabaseRelay;
let server: ExtraServer;
test.beforeAll(async () => {
  test.setTimeout(90_000);
  relay = await startDatabaseRelay(readFileSync(DATABASE_URL_FILE, 'utf8').trim());
  server = await startExtraServer(PORT, {
    DATABASE_URL: relay.url,
    MEMORY_STORE: '1',
    SIGN_IN_CONCURRENCY: String(SLOTS),
    // A fixed queue (eight per slot), not one sized from the measured pace of earlier steps.
    SIGN_IN_QUEUE_WAIT_MS: '0',
  });
});
test.afterAll(async () => {
  relay?.release();
  await server?.stop();
  await relay?.stop();
});
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

/**
 * An empty form post: the password step refuses it with 503 when the gate is full, before it
 * reads the body; else it is sent back to the form at once (it never takes a place in the gate).
 */
const gateIsFull = async (http: APIRequestContext) =>
  (await http.post('/login/password', { maxRedirects: 0 })).status() === 503;

test('P5 a JavaScript sign-in meets a full sign-in gate: "busy, try again" at once, the username kept, and the retry signs in once the gate has room', async ({
  page,
}) => {
  const user = await createOwnUser('gate');
  const http = await request.newContext({ baseURL: `http://127.0.0.1:${PORT}` });
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  expect(await gateIsFull(http)).toBe(false);

  relay.hold();
  const held: Promise<APIResponse>[] = [];
  let answered = 0;
  for (let i = 0; i < SLOTS + QUEUE; i++)
    held.push(
      http
        .post('/login/password', {
          form: { username: user.username, password: user.password },
          maxRedirects: 0,
        })
        .finally(() => answered++),
    );
  // The first step waits on the held database, the others in the gate's queue.
  await expect.poll(() => relay.waiting()).toBeGreaterThan(0);
  await expect.poll(() => gateIsFull(http)).toBe(true);

  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page.locator('#login-error')).toHaveText(BUSY);
  // At once: every step ahead of it is still held, so this one waited for none of them.
  expect(answered).toBe(0);
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('Username')).toHaveValue(user.username);

  relay.release();
  const responses = await Promise.all(held);
  // Each held step went on to a normal answer: the method page (303), nothing refused.
  expect(responses.map((r) => r.status())).toEqual(responses.map(() => 303));
  expect(await gateIsFull(http)).toBe(false);
  await http.dispose();

  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect(page).toHaveURL(/\/login\/method$/);
});
