import http from 'node:http';

// Request admission for a long-lived server (`next start`, decision 0035): at most `limit`
// requests inside the app at once; the rest wait their turn, in arrival order, as the bare
// request and response Node.js parsed, before Next.js has built anything for them.
//
// Why. Node.js hands every parsed request to the app at once. Under a burst, the event loop then
// interleaves all of them: each holds its whole in-flight state (Next.js's request context, the
// store call's fetch, about 100 KB) for as long as the slowest of them takes, and whichever
// callbacks come first go first, not whichever request came first. Measured on the code step at
// 50 connections (docs/performance.md): nearly all of that state lived through two scavenges and
// was promoted to the old generation (about 20 MB/s), which grew to 350 MB between mark-compacts,
// and the slowest requests waited two to three times the median. Waiting outside the app, a
// request holds a few hundred bytes; admitted, it finishes in a few milliseconds, young; and the
// requests are answered in the order they came.
//
// What counts against the limit, and what never waits:
// - a request counts from its start until its response closes, or for `holdMs` at most. A request
//   that waits on something slow (an email provider, a slow client reading its answer) stops
//   counting then, and the next one starts: the limit orders short requests, it never stalls
//   the instance behind long ones;
// - a request whose body is still arriving once Node.js has parsed what came with its headers
//   starts at once and does not count: a client that sends its body slowly holds no slot;
// - `exempt` requests start at once and do not count (the password step, which has a gate of
//   its own that queues and refuses, lib/auth/sign-in-gate.ts);
// - a waiting request whose connection closed is dropped from the queue, never started;
// - an `early` answer (a password step while the sign-in gate is full, lib/web/early-refusal.ts)
//   is given at once, without the app.

export type AdmissionOptions = {
  /** Requests counted at once. */
  limit: number;
  /** The longest a request counts against the limit, ms. */
  holdMs?: number;
  /** Requests that start at once and never count. */
  exempt?: (request: http.IncomingMessage) => boolean;
  /**
   * An answer given from the request's headers instead of the app's, or null: for refusals that
   * need nothing of the app (a full sign-in gate), which then cost neither a slot nor the app's
   * routing. Its body is written whole; the request's body is not read.
   */
  early?: (request: http.IncomingMessage) => Response | null;
};

export type Admission = {
  /** Starts `handle(request, response)` now or when a slot frees, in arrival order. */
  admit(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    handle: (request: http.IncomingMessage, response: http.ServerResponse) => void,
  ): void;
  /** Requests counted now, and waiting. */
  load(): { counted: number; waiting: number };
};

export const DEFAULT_HOLD_MS = 100;

/** Four per core: enough to keep the cores busy across short store and database round trips. */
export function defaultAdmissionLimit(cores: number): number {
  return 4 * Math.max(1, cores);
}

type Waiting = {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  handle: (request: http.IncomingMessage, response: http.ServerResponse) => void;
};

export function createAdmission({
  limit,
  holdMs = DEFAULT_HOLD_MS,
  exempt = () => false,
  early = () => null,
}: AdmissionOptions): Admission {
  let counted = 0;
  // A FIFO as an array with a head index: shift() is O(n) on a long queue.
  let queue: (Waiting | undefined)[] = [];
  let head = 0;

  const gone = ({ request, response }: Waiting) =>
    request.destroyed || response.closed || response.destroyed;

  function next() {
    while (counted < limit && head < queue.length) {
      const waiting = queue[head]!;
      queue[head++] = undefined;
      if (!gone(waiting)) start(waiting, true);
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
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
      // Armed here, outside the app's request context: the timer holds only this closure.
      const timer = setTimeout(release, holdMs);
      timer.unref();
      response.once('close', release);
    }
    handle(request, response);
  }

  function decide(waiting: Waiting) {
    if (gone(waiting)) return;
    // Still receiving its body after the parser ran on what arrived with the headers.
    if (!waiting.request.complete) return start(waiting, false);
    if (counted < limit && head === queue.length) return start(waiting, true);
    queue.push(waiting);
  }

  return {
    admit(request, response, handle) {
      const answer = early(request);
      if (answer) return void answerWith(response, answer).catch(() => response.destroy());
      const waiting = { request, response, handle };
      if (limit <= 0 || exempt(request)) return start(waiting, false);
      // The 'request' event comes when the headers are parsed; the rest of what arrived with them
      // (a form's body) is parsed right after, in the same turn of the event loop.
      if (request.complete) decide(waiting);
      else setImmediate(decide, waiting);
    },
    load: () => ({ counted, waiting: queue.length - head }),
  };
}

/** Requests for exactly these paths (any query), for `exempt`. */
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
 * second call is refused.
 */
export function admitServerRequests(admission: Admission): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: true };
  if (proto[INSTALLED]) throw new Error('request admission is already installed');
  type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  const emit = proto.emit as Emit;
  const admitted: Emit = function (event, ...args) {
    if (event !== 'request') return emit.call(this, event, ...args);
    const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
    admission.admit(request, response, (req, res) => emit.call(this, 'request', req, res));
    return true;
  };
  proto.emit = admitted as typeof proto.emit;
  proto[INSTALLED] = true;
}
