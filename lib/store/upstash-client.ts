import 'server-only';
import { Redis } from '@upstash/redis';
import { createDeadlineSignals } from './deadline-signals';

// The one Upstash client a process needs: the store (upstash-store.ts) and the rate limiter
// (lib/rate-limit/upstash-rate-limiter.ts) run on it together, so its auto-pipelining puts their
// commands of one moment into one HTTP request: the password step's address and global peeks
// and the name's attempt count are one round trip, not two (docs/decisions/0025-raw-pg-hot-path.md).

/** A dead or black-holed server must fail the request in seconds (AV-01), not hang the sign-in. */
export const DEFAULT_TIMEOUT_MS = 3_000;

/** Where to reach Upstash: a client of its own, or one shared with the store or the limiter. */
export type UpstashConnection =
  | {
      url: string;
      token: string;
      /** Per request, connection included; default 3 s. */
      timeoutMs?: number;
    }
  | { redis: Redis };

export function createUpstashClient(options: {
  url: string;
  token: string;
  timeoutMs?: number;
}): Redis {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Redis({
    url: options.url,
    token: options.token,
    // Values are JSON strings that the store writes and parses itself: with automatic
    // deserialisation on, the client turns numeric strings into numbers ("012345" → 12345), which
    // would corrupt anything that merely looks numeric. @upstash/ratelimit's scripts answer numbers,
    // which are numbers either way.
    automaticDeserialization: false,
    // One quick retry covers a reused keep-alive socket that the server had closed. A retried write
    // may apply twice (a counter +2, a code try burnt twice): that errs on the closed side.
    retry: { retries: 1, backoff: () => 50 },
    // A function, not a signal: the client calls it per request (one fresh deadline each), and
    // only in this form does an abort throw; a fixed signal's abort comes back as the result
    // "Aborted". Not `AbortSignal.timeout`: its timer per request would keep each finished request
    // in memory for the whole timeout (deadline-signals.ts).
    signal: createDeadlineSignals(timeoutMs),
    enableTelemetry: false,
    // Commands issued in the same moment (a few microtasks) share one /pipeline request, each
    // still answered, or failed, on its own; atomicity comes from the scripts, not from it.
    enableAutoPipelining: true,
  });
}

export const upstashClient = (connection: UpstashConnection): Redis =>
  'redis' in connection ? connection.redis : createUpstashClient(connection);
