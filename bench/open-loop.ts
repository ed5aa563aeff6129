import http from 'node:http';

// Open-loop load for the paced and overload benches: requests arrive at a given mean rate with
// exponentially distributed gaps (a Poisson process, as many independent people signing in
// are), from a seeded generator so that every run offers the same schedule, each request on its
// own whether or not earlier ones have been answered.
//
// Why not autocannon's `overallRate`: it hands each connection a quota per second and starts
// every connection's second at the same instant, so "57 logins a second" arrived as one burst of
// 57 at each second's start, and the 5 verifies a second of the overload bench arrived in a
// burst of their own in the same millisecond. It also corrects for coordinated omission with an
// expected interval of 1 ms (it passes 1 ÷ requests-per-second as milliseconds), which adds a
// made-up sample for every millisecond of a slow response, so its percentiles were not those of
// the requests sent (docs/performance.md, P5).

export type OpenLoopRequest = {
  /** POST unless given. */
  method?: 'GET' | 'POST';
  path: string;
  body: string;
  headers: Record<string, string>;
};

export type OpenLoopResult = {
  /** Arrivals in the schedule. */
  scheduled: number;
  /** Requests sent (arrivals in the schedule that had a request to send). */
  sent: number;
  /** Answers by HTTP status. */
  statuses: Map<number, number>;
  /** Answers the caller counted as the outcome it wanted (see `wanted`). */
  wanted: number;
  /** Of those, the ones that ended within `seconds` of the start, as a closed-loop run counts. */
  wantedInWindow: number;
  /** Connections that failed or closed before a whole answer. */
  errors: number;
  timeouts: number;
  /**
   * Latency of every answered request, send to end of answer, ms, ascending; a request that timed
   * out counts as `timeoutMs` (a lower bound), so that slow answers are not left out.
   */
  latencies: number[];
  /** Latency of the wanted answers only, ms, ascending. */
  wantedLatencies: number[];
  /** How far behind its scheduled time the latest request left, ms (the generator's own lag). */
  maxLateness: number;
};

export type OpenLoopOptions = {
  origin: string;
  /** Mean arrivals per second. */
  rate: number;
  seconds: number;
  /** Seed of the arrival schedule; the same seed gives the same gaps. */
  seed?: number;
  /** An answer that takes longer is abandoned and counted as a timeout. */
  timeoutMs?: number;
  /** The i-th request, or null when there is nothing left to send (the arrival is skipped). */
  request: (i: number) => OpenLoopRequest | null;
  /** Whether an answer is the outcome the bench counts (e.g. a 303 to /account). */
  wanted: (status: number, location: string | undefined) => boolean;
};

/** mulberry32: a small seeded generator, good enough to space arrivals. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Arrival times in ms from the start, Poisson at `rate` per second, within `seconds`. */
export function arrivals(rate: number, seconds: number, seed: number): number[] {
  const random = seeded(seed);
  const times: number[] = [];
  let t = 0;
  for (;;) {
    t += (-Math.log(1 - random()) / rate) * 1000;
    if (t >= seconds * 1000) return times;
    times.push(t);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(options.origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const schedule = arrivals(options.rate, options.seconds, options.seed ?? 1);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const result: OpenLoopResult = {
    scheduled: schedule.length,
    sent: 0,
    statuses: new Map(),
    wanted: 0,
    wantedInWindow: 0,
    errors: 0,
    timeouts: 0,
    latencies: [],
    wantedLatencies: [],
    maxLateness: 0,
  };
  const inFlight: Promise<void>[] = [];
  let windowEnd = Infinity;
  const send = (spec: OpenLoopRequest) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      let settled = false;
      let answered = false;
      // Exactly once per request: an answer, a timeout, or a connection that failed or closed.
      const settle = (outcome: 'answer' | 'timeout' | 'error') => {
        if (settled) return;
        settled = true;
        if (outcome === 'timeout') {
          result.timeouts += 1;
          result.latencies.push(timeoutMs);
        } else if (outcome === 'error') result.errors += 1;
        resolve();
      };
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: spec.method ?? 'POST',
          path: spec.path,
          agent,
          timeout: timeoutMs,
          headers: spec.body
            ? { ...spec.headers, 'content-length': Buffer.byteLength(spec.body) }
            : spec.headers,
        },
        (response) => {
          answered = true;
          response.resume();
          response.on('end', () => {
            if (settled) return;
            const ended = performance.now();
            const latency = ended - started;
            const status = response.statusCode ?? 0;
            result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
            result.latencies.push(latency);
            if (options.wanted(status, response.headers.location)) {
              result.wanted += 1;
              result.wantedLatencies.push(latency);
              if (ended <= windowEnd) result.wantedInWindow += 1;
            }
            settle('answer');
          });
          // Cut off before the whole answer arrived (no 'end'): not an answer.
          response.on('error', () => settle('error'));
          response.on('close', () => settle('error'));
        },
      );
      request.on('timeout', () => {
        settle('timeout');
        request.destroy();
      });
      request.on('error', () => settle('error'));
      // Closed with no answer begun (the answer's own events settle it otherwise).
      request.on('close', () => {
        if (!answered) settle('error');
      });
      request.end(spec.body);
    });

  try {
    const start = performance.now();
    windowEnd = start + options.seconds * 1000;
    for (let i = 0; i < schedule.length; i++) {
      const due = start + schedule[i]!;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      result.maxLateness = Math.max(result.maxLateness, performance.now() - due);
      const spec = options.request(i);
      if (!spec) continue;
      result.sent += 1;
      inFlight.push(send(spec));
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  result.latencies.sort((a, b) => a - b);
  result.wantedLatencies.sort((a, b) => a - b);
  return result;
}

/**
 * Hands out `items` one per arrival, in order, built into requests; null once they run out (the
 * arrival is skipped, and `suppliesLasted`-style checks compare `sent` with `scheduled`).
 * `taken()` is how many were handed out, to remove them from the caller's list afterwards.
 */
export function inTurn<T>(
  items: readonly T[],
  build: (item: T) => OpenLoopRequest,
): { request: () => OpenLoopRequest | null; taken: () => number } {
  let next = 0;
  return {
    request: () => {
      const item = items[next];
      if (item === undefined) return null;
      next += 1;
      return build(item);
    },
    taken: () => next,
  };
}

/** "303: 280, 503: 346, errors: 1" */
export function openLoopStatuses(result: OpenLoopResult): string {
  const parts = [...result.statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}: ${count}`);
  if (result.errors) parts.push(`errors: ${result.errors}`);
  if (result.timeouts) parts.push(`timeouts: ${result.timeouts}`);
  return parts.join(', ');
}
