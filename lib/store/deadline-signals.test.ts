import { AsyncLocalStorage } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeadlineSignals } from './deadline-signals';

// The store's request deadlines (deadline-signals.ts): each signal aborts like
// `AbortSignal.timeout`'s, but all of a client's deadlines share one timer, which is gone once
// none is pending (a timer per request kept each finished request in memory until it fired).

describe('deadline signals', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  /** Moves the injected clock and the fake timers together. */
  function advance(ms: number) {
    clock += ms;
    vi.advanceTimersByTime(ms);
  }

  it('aborts a signal with a TimeoutError once its deadline has passed, not before', () => {
    const signals = createDeadlineSignals(3000, { resolutionMs: 100, now });
    const signal = signals();
    advance(2900);
    expect(signal.aborted).toBe(false);
    advance(100);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DOMException);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('aborts each signal at its own deadline, in order, each at most one resolution late', () => {
    const signals = createDeadlineSignals(1000, { resolutionMs: 50, now });
    const first = signals();
    advance(400);
    const second = signals();
    advance(600); // the first's deadline
    expect([first.aborted, second.aborted]).toEqual([true, false]);
    expect(signals.pending).toBe(1);
    advance(350);
    expect(second.aborted).toBe(false);
    advance(50); // the second's deadline
    expect(second.aborted).toBe(true);
    expect(signals.pending).toBe(0);
  });

  it('runs one timer for any number of pending deadlines, and none once they have all passed', () => {
    const signals = createDeadlineSignals(3000, { resolutionMs: 100, now });
    const made = Array.from({ length: 1000 }, () => signals());
    expect(vi.getTimerCount()).toBe(1);
    expect(signals.pending).toBe(1000);
    advance(3000);
    expect(made.every((signal) => signal.aborted)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    // The next request arms it again.
    const later = signals();
    expect(vi.getTimerCount()).toBe(1);
    advance(3000);
    expect(later.aborted).toBe(true);
  });

  it('keeps up over a long stream of requests without holding the passed ones', () => {
    const signals = createDeadlineSignals(200, { resolutionMs: 10, now });
    const made: AbortSignal[] = [];
    for (let step = 0; step < 5000; step += 1) {
      made.push(signals());
      advance(1);
    }
    // Those made in the last 200 ms are pending (give or take one resolution); the others aborted.
    expect(signals.pending).toBeGreaterThanOrEqual(190);
    expect(signals.pending).toBeLessThanOrEqual(210);
    expect(made.slice(0, 4790).every((signal) => signal.aborted)).toBe(true);
    expect(made.slice(-190).some((signal) => signal.aborted)).toBe(false);
  });

  it('aborts a real fetch to a server that never answers', async () => {
    vi.useRealTimers();
    const { createServer } = await import('node:http');
    const server = createServer(() => {}); // reads the request, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const signals = createDeadlineSignals(200, { resolutionMs: 20 });
    try {
      const started = performance.now();
      const failure = await fetch(`http://127.0.0.1:${port}/`, { signal: signals() }).catch(
        (error: unknown) => error,
      );
      expect((failure as DOMException).name).toBe('TimeoutError');
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps nothing of the request that asked for a signal reachable, where AbortSignal.timeout does', async () => {
    vi.useRealTimers();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // What Next.js keeps in its async context while it serves a request.
    const requestContext = new AsyncLocalStorage<{ request: unknown[] }>();
    const signals = createDeadlineSignals(60_000);
    signals(); // the timer, armed by an earlier request
    const served = (makeSignal: () => AbortSignal) => {
      let store: WeakRef<object> | undefined;
      let signal: AbortSignal | undefined;
      requestContext.run({ request: new Array(10_000).fill('body') }, () => {
        store = new WeakRef(requestContext.getStore()!);
        signal = makeSignal(); // the store call's deadline
      });
      return { store: store!, signal: signal! };
    };
    const ours = served(() => signals());
    const timeout = served(() => AbortSignal.timeout(60_000));
    await new Promise((resolve) => setImmediate(resolve)); // the requests have been answered
    gc();
    expect(ours.store.deref()).toBeUndefined();
    expect(timeout.store.deref()).toBeDefined(); // its timer holds the request for a minute
    expect([ours.signal.aborted, timeout.signal.aborted]).toEqual([false, false]);
  });
});
