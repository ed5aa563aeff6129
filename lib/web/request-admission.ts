import { AsyncResource } from 'node:async_hooks';
import http from 'node:http';

// Request admission for a long-lived server (`next start`, decision 0035): at most `limit`
// requests inside the app at once; the rest wait their turn and are started in arrival order, as
// the bare request and response Node.js parsed, before Next.js has built anything for them.
//
// Why. Node.js hands every parsed request to the app at once. Under a burst, the event loop then
// interleaves all of them: each holds its whole in-flight state (Next.js's request context, the
// store call's fetch, about 100 KB) for as long as the slowest of them takes, and whichever
// callbacks come first go first, not whichever request came first. Measured on the code step at
// 50 connections (docs/performance.md): nearly all of that state lived through two scavenges and
// was promoted to the old generation (about 20 MB/s), which grew to 350 MB between mark-compacts,
// and the slowest requests waited two to three times the median. Waiting outside the app, a
// request holds only what Node.js made for it; admitted, it finishes in a few milliseconds, young.
//
// A slot is for work, never for waiting on a client or on time, so that the limit cannot be used
// to stall the instance:
// - a request counts from its start until its answer is handed over (`end()`), the socket pushes
//   back on its answer (`write()` returns false: a client slow to read), its connection closes,
//   or `holdMs` passes, whichever comes first. One that waits on something slow (an email
//   provider) stops counting then, and the next one starts;
// - a request whose body is still arriving once Node.js has parsed what came with its headers
//   starts at once and does not count (a client sending a slow body holds no slot), nor does one
//   pipelined behind an answer still going out on its connection (it has no socket to answer on
//   yet);
// - a request that has waited `maxWaitMs` starts without counting: a queue that cannot drain in
//   that time (a flood) falls back to Node's own way, every request at once, instead of growing;
// - `exempt` requests start at once and do not count (the password step, which has a gate of its
//   own that queues and refuses, lib/auth/sign-in-gate.ts);
// - an `early` answer (a password step while the sign-in gate is full, lib/web/early-refusal.ts)
//   is given at once, without the app;
// - a waiting request whose connection closed is dropped, never started.
// A request started from the queue runs in the async context it arrived in (its own), not in that
// of the request whose slot it took.

export type AdmissionOptions = {
  /** Requests counted at once. */
  limit: number;
  /** The longest a request counts against the limit, ms. */
  holdMs?: number;
  /** The longest a request waits for a slot before it starts anyway, uncounted, ms. */
  maxWaitMs?: number;
  /** Requests that start at once and never count. */
  exempt?: (request: http.IncomingMessage) => boolean;
  /**
   * An answer given from the request's headers instead of the app's, or null: for refusals that
   * need nothing of the app (a full sign-in gate), which then cost neither a slot nor the app's
   * routing. Its body is written whole; the request's body is not read.
   */
  early?: (request: http.IncomingMessage) => Response | null;
};

type Handle = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export type Admission = {
  readonly limit: number;
  /** Starts `handle(request, response)` now or when a slot frees, in arrival order. */
  admit(request: http.IncomingMessage, response: http.ServerResponse, handle: Handle): void;
  /** Requests counted now, and waiting (those whose client left included, until their turn). */
  load(): { counted: number; waiting: number };
};

export const DEFAULT_HOLD_MS = 100;
export const DEFAULT_MAX_WAIT_MS = 1000;

/** Four per core: enough to keep the cores busy across short store and database round trips. */
export function defaultAdmissionLimit(cores: number): number {
  return 4 * Math.max(1, cores);
}

type Waiting = {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  handle: Handle;
  /** When it was queued (ms, performance.now()), and the async context it arrived in. */
  since?: number;
  context?: AsyncResource;
};

export function createAdmission({
  limit,
  holdMs = DEFAULT_HOLD_MS,
  maxWaitMs = DEFAULT_MAX_WAIT_MS,
  exempt = () => false,
  early = () => null,
}: AdmissionOptions): Admission {
  let counted = 0;
  // A FIFO as an array with a head index: shift() is O(n) on a long queue.
  let queue: (Waiting | undefined)[] = [];
  let head = 0;
  let expiry: ReturnType<typeof setTimeout> | undefined;
  let hookFailed = false;
  // Timers of the admission's own (the queue's expiry) are armed in the context the admission was
  // made in, never in a request's: a timer keeps the context it was armed in alive.
  const own = new AsyncResource('latchkey.request-admission');

  const gone = ({ request, response }: Waiting) =>
    request.destroyed || response.closed || response.destroyed;

  function compact() {
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  function next() {
    while (counted < limit && head < queue.length) {
      const waiting = queue[head]!;
      queue[head++] = undefined;
      if (!gone(waiting)) resume(waiting, true);
    }
    compact();
  }

  /** Starts a queued request in its own context. */
  function resume(waiting: Waiting, counts: boolean) {
    waiting.context!.runInAsyncScope(start, null, waiting, counts);
  }

  /** Starts, uncounted, whatever has waited `maxWaitMs`; then waits for the next to. */
  function expire() {
    expiry = undefined;
    const now = performance.now();
    while (head < queue.length && now - queue[head]!.since! >= maxWaitMs) {
      const waiting = queue[head]!;
      queue[head++] = undefined;
      if (!gone(waiting)) resume(waiting, false);
    }
    compact();
    armExpiry();
  }

  function armExpiry() {
    if (expiry || head === queue.length) return;
    const due = queue[head]!.since! + maxWaitMs - performance.now();
    expiry = own.runInAsyncScope(() => setTimeout(expire, Math.max(0, due)));
    expiry.unref();
  }

  function start(waiting: Waiting, counts: boolean) {
    const { request, response, handle } = waiting;
    if (counts) {
      counted++;
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        clearTimeout(timer);
        counted--;
        next();
      };
      // Armed in the request's own context, before the app has entered its own into it.
      const timer = setTimeout(release, holdMs);
      timer.unref();
      response.once('close', release);
      const { write, end } = response;
      response.write = function (this: http.ServerResponse, ...args: unknown[]) {
        const flowing = (write as (...a: unknown[]) => boolean).apply(this, args);
        if (!flowing) release();
        return flowing;
      } as typeof write;
      response.end = function (this: http.ServerResponse, ...args: unknown[]) {
        const ended = (end as (...a: unknown[]) => http.ServerResponse).apply(this, args);
        release();
        return ended;
      } as typeof end;
    }
    handle(request, response);
  }

  function decide(waiting: Waiting) {
    if (gone(waiting)) return;
    // Still receiving its body after the parser ran on what arrived with the headers, or pipelined
    // behind an answer that has not gone out yet.
    if (!waiting.request.complete || !waiting.response.socket) return start(waiting, false);
    if (counted < limit && head === queue.length) return start(waiting, true);
    waiting.since = performance.now();
    waiting.context = new AsyncResource('latchkey.request-admission.waiting');
    queue.push(waiting);
    armExpiry();
  }

  /** A hook that throws lets the request through to the app, which answers it as before. */
  function hooks(request: http.IncomingMessage): { answer: Response | null; exempt: boolean } {
    try {
      const answer = early(request);
      return { answer, exempt: answer === null && exempt(request) };
    } catch (error) {
      if (!hookFailed)
        console.error('request admission: a hook failed; requests go through', error);
      hookFailed = true;
      return { answer: null, exempt: true };
    }
  }

  return {
    limit,
    admit(request, response, handle) {
      const waiting: Waiting = { request, response, handle };
      if (limit <= 0) return start(waiting, false);
      const { answer, exempt } = hooks(request);
      if (answer) return void answerWith(response, answer).catch(() => response.destroy());
      if (exempt) return start(waiting, false);
      // The 'request' event comes when the headers are parsed, before the body: what arrived with
      // them (a form's body, usually) is parsed right after, in the same turn of the event loop.
      setImmediate(decide, waiting);
    },
    load: () => ({ counted, waiting: queue.length - head }),
  };
}

/** Requests for exactly these paths (any query): for `exempt`, and the early refusal's own test. */
export function pathsExempt(paths: readonly string[]): (request: http.IncomingMessage) => boolean {
  const exact = new Set(paths);
  return (request) => {
    const url = request.url ?? '';
    const query = url.indexOf('?');
    return exact.has(query < 0 ? url : url.slice(0, query));
  };
}

/** Writes a Web `Response` as the answer to a Node.js request. */
async function answerWith(response: http.ServerResponse, answer: Response): Promise<void> {
  response.statusCode = answer.status;
  answer.headers.forEach((value, name) => response.setHeader(name, value));
  response.end(Buffer.from(await answer.arrayBuffer()));
}

const INSTALLED = Symbol.for('latchkey.request-admission');

/**
 * Puts every HTTP server of this process behind `admission`: its 'request' events go through
 * `admit`. For `next start`, which creates its server itself and gives the app no handle on it
 * (instrumentation.ts runs in the same process, after the server exists). Installed once; a
 * second call is refused. The first request through it is logged, so that a check can tell the
 * server's requests do pass through (scripts/ci-production-check.ts).
 */
export function admitServerRequests(admission: Admission): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: true };
  if (proto[INSTALLED]) throw new Error('request admission is already installed');
  type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  const emit = proto.emit as Emit;
  let seen = false;
  const admitted: Emit = function (event, ...args) {
    if (event !== 'request') return emit.call(this, event, ...args);
    if (!seen) {
      seen = true;
      console.log(
        `request admission: requests are taken in turn, at most ${admission.limit} in the app at once`,
      );
    }
    const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
    admission.admit(request, response, (req, res) => emit.call(this, 'request', req, res));
    return true;
  };
  proto.emit = admitted as typeof proto.emit;
  proto[INSTALLED] = true;
}
