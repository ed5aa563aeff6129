// Abort signals for outgoing requests' deadlines, without a Node timer per request.
//
// `AbortSignal.timeout(ms)` arms a timer per call, and a timer armed while a request is being
// served carries that request's async context (Next.js keeps its request store there: the
// incoming request, the response, the render state). So every store call kept its whole request
// reachable for the full timeout after the answer had gone: at a few hundred sign-in steps a
// second and a 3 s timeout, about a thousand finished requests stayed in the heap, were promoted
// to the old generation and were collected in long mark-compact pauses, which showed as the code
// step's slowest requests (docs/decisions/0033-deadline-signals.md).
//
// Here a client's requests share one deadline queue, checked by one interval timer while any
// deadline is pending. A request that finished in time leaves its controller in the queue until
// its deadline passes; the controller holds nothing of the request but the fetch's abort listener.
// The one timer is armed by whichever request finds the queue empty and so holds that one
// request until the queue next drains: one request, not every request of the last timeout.

/** How late past its deadline a request may be aborted (the interval between checks). */
export const DEADLINE_RESOLUTION_MS = 100;

type Pending = { controller: AbortController; at: number };

export type DeadlineSignals = {
  /** A signal that aborts (with a `TimeoutError`, as `AbortSignal.timeout`'s does) `timeoutMs` from now. */
  (): AbortSignal;
  /** Deadlines not yet reached (for tests). */
  readonly pending: number;
};

export function createDeadlineSignals(
  timeoutMs: number,
  { resolutionMs = DEADLINE_RESOLUTION_MS, now = () => performance.now() } = {},
): DeadlineSignals {
  // One timeout for the whole queue: deadlines are reached in the order they were set.
  let queue: Pending[] = [];
  let head = 0;
  let ticker: ReturnType<typeof setInterval> | undefined;

  function check() {
    const time = now();
    while (head < queue.length && queue[head]!.at <= time) {
      const { controller } = queue[head]!;
      queue[head++] = undefined as unknown as Pending; // nothing kept once aborted
      controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
      clearInterval(ticker);
      ticker = undefined; // the next request arms a new one
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  const signals = (() => {
    const controller = new AbortController();
    queue.push({ controller, at: now() + timeoutMs });
    // Unreferenced: a pending deadline never keeps a process (a test, a script) alive.
    ticker ??= setInterval(check, resolutionMs).unref();
    return controller.signal;
  }) as DeadlineSignals;
  Object.defineProperty(signals, 'pending', { get: () => queue.length - head });
  return signals;
}
