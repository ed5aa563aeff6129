import { afterEach, describe, expect, it } from 'vitest';
import { NextRequest } from 'next/server';
import { proxy } from '@/proxy';
import { signInGate } from '@/lib/auth/sign-in-gate';

// P5: past the instance's capacity a password step is refused at once, not queued. proxy.ts
// consults the same gate the password step runs in (lib/auth/sign-in-gate.ts); this fills the
// real gate of this process and asks the real proxy.

const releases: Array<() => void> = [];
const running: Promise<unknown>[] = [];

/** Takes every slot and every place in the queue with steps that last until the test ends. */
async function fillGate() {
  const gate = signInGate();
  while (!gate.full()) {
    running.push(gate.run(() => new Promise<void>((resolve) => releases.push(resolve))));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return gate;
}

afterEach(async () => {
  const done = Promise.all(running.splice(0));
  // Each release hands its slot to the next in the queue, whose step then waits to be released.
  while (signInGate().load().running > 0) {
    releases.splice(0).forEach((release) => release());
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await done;
  expect(signInGate().load()).toMatchObject({ running: 0, waiting: 0 });
});

const post = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(new URL(path, 'http://localhost:3000'), {
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=x', ...headers },
  });

describe('admission control for the password step (P5)', () => {
  it('lets a form-posted password step through while the gate has room', () => {
    const response = proxy(post('/login'));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-middleware-next')).toBe('1');
  });

  it('answers a form-posted password step with 503 and Retry-After when the gate is full', async () => {
    await fillGate();
    const response = proxy(post('/login'));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain('Too many sign-ins right now');
  });

  it('refuses nothing else when the gate is full: other pages, other posts, JavaScript calls (the action answers those)', async () => {
    await fillGate();
    expect(proxy(new NextRequest('http://localhost:3000/login')).status).toBe(200);
    expect(proxy(post('/login/verify')).status).toBe(200);
    expect(proxy(post('/login', { 'next-action': 'abc123' })).status).toBe(200);
  });
});
