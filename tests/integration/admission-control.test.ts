import { afterEach, describe, expect, it } from 'vitest';
import { POST } from '@/app/(auth)/login/password/route';
import { signInGate } from '@/lib/auth/sign-in-gate';
import { env } from '@/lib/env';
import type { IncomingMessage } from 'node:http';
import { earlyPasswordStepRefusal } from '@/lib/web/early-refusal';
import { STATIC_SECURITY_HEADERS } from '@/lib/security/static-headers';

// P5: past the instance's capacity a password step is refused at once, not queued. The password
// step's route handler (app/(auth)/login/password/route.ts) consults the gate it runs in
// (lib/auth/sign-in-gate.ts) before it reads the body; this fills the real gate of this process
// and posts to the real handler. (A step with room goes on to the sign-in itself, which needs a
// request's cookies: that side is the e2e sign-in-gate.spec.ts.)

const releases: Array<() => void> = [];
const running: Promise<unknown>[] = [];

/** Takes every slot and every place in the queue with steps that last until the test ends. */
async function fillGate() {
  const g = gate();
  while (!g.full()) {
    running.push(g.run(() => new Promise<void>((resolve) => releases.push(resolve))));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return g;
}

afterEach(async () => {
  const done = Promise.all(running.splice(0));
  // Each release hands its slot to the next in the queue, whose step then waits to be released.
  while (gate().load().running > 0) {
    releases.splice(0).forEach((release) => release());
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await done;
  expect(gate().load()).toMatchObject({ running: 0, waiting: 0 });
});

const gate = () => signInGate(env.SIGN_IN_CONCURRENCY, env.SIGN_IN_QUEUE_WAIT_MS);

const post = (headers: Record<string, string> = {}) =>
  new Request('http://localhost:3000/login/password', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: 'localhost:3000',
      ...headers,
    },
    body: new URLSearchParams({ username: 'someone', password: 'a password' }),
  });

describe('admission control for the password step (P5)', () => {
  it('answers a form-posted password step with 503, Retry-After and a plain page when the gate is full', async () => {
    await fillGate();
    const response = await POST(post());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain('Too many sign-ins right now');
  });

  it("answers the form's own script with the message as JSON (a 200, so no console error), the username kept", async () => {
    await fillGate();
    const response = await POST(post({ accept: 'application/json' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({
      error: expect.stringMatching(
        /^Too many people are signing in right now\. Nothing was checked/,
      ),
      values: { username: '' },
    });
  });

  it('refuses a cross-site post (SE-08) before anything else, full gate or not', async () => {
    for (const origin of ['http://evil.example', 'null']) {
      const response = await POST(post({ origin }));
      expect(response.status, origin).toBe(403);
    }
    const fetched = await POST(post({ 'sec-fetch-site': 'cross-site' }));
    expect(fetched.status).toBe(403);
  });

  describe('refused before Next.js while the gate is full (decision 0035)', () => {
    /** The request as Node.js hands it to the server, before Next.js. */
    const incoming = (
      headers: Record<string, string> = {},
      { method = 'POST', url = '/login/password' } = {},
    ) =>
      ({
        method,
        url,
        headers: { host: 'localhost:3000', origin: 'http://localhost:3000', ...headers },
      }) as unknown as IncomingMessage;

    it('gives nothing while the gate has room: the route has the step', async () => {
      gate();
      expect(earlyPasswordStepRefusal(incoming())).toBeNull();
    });

    it("answers as the route does, the form post with the 503 page, the form's script with the same JSON, with the static security headers", async () => {
      await fillGate();
      const page = earlyPasswordStepRefusal(incoming())!;
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBe('1');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await page.text()).toBe(await (await POST(post())).text());
      for (const { key, value } of STATIC_SECURITY_HEADERS)
        expect(page.headers.get(key), key).toBe(value);

      const json = earlyPasswordStepRefusal(
        incoming({ accept: 'application/json' }, { url: '/login/password?from=script' }),
      )!;
      const routes = await POST(post({ accept: 'application/json' }));
      expect(json.status).toBe(routes.status);
      expect(json.headers.get('retry-after')).toBe(routes.headers.get('retry-after'));
      expect(await json.json()).toEqual(await routes.json());
    });

    it('leaves a cross-site post to the route (403 first, SE-08), and any other request alone', async () => {
      await fillGate();
      expect(earlyPasswordStepRefusal(incoming({ origin: 'http://evil.example' }))).toBeNull();
      expect(earlyPasswordStepRefusal(incoming({ origin: 'null' }))).toBeNull();
      expect(earlyPasswordStepRefusal(incoming({}, { method: 'GET' }))).toBeNull();
      expect(earlyPasswordStepRefusal(incoming({}, { url: '/login/passwordx' }))).toBeNull();
      expect(earlyPasswordStepRefusal(incoming({}, { url: '/login/verify' }))).toBeNull();
      expect(earlyPasswordStepRefusal(incoming())).not.toBeNull();
    });
  });
});
