import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import type {
  CodeAttempt,
  ExpiringStore,
  StoredCode,
  TicketCodeCheck,
  TicketCodeOutcome,
} from './expiring-store';

// The zero-config store: a Map in this process. It is only correct while one process serves every
// request (`next dev`, `next start` on one machine): a second instance or a serverless function
// has its own Map, so codes, tickets and counters would not be shared. Production uses Upstash.
//
// Every operation runs synchronously from its first read to its last write (the `async` only
// wraps the result), so on Node's single thread each one is atomic without locks.

type Entry = { json: string; expiresAt: number };

/** Expired entries are dropped when read; a sweep at most this often drops the ones never read again. */
const SWEEP_INTERVAL_MS = 60_000;

export function createMemoryStore(options: { now?: () => number } = {}): ExpiringStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let lastSweep = now();

  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= at) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(key: string, value: unknown, ttlMs: number, at: number) {
    entries.set(key, { json: toJson(value), expiresAt: at + checkTtl(ttlMs) });
    if (at - lastSweep >= SWEEP_INTERVAL_MS) {
      lastSweep = at;
      for (const [k, entry] of entries) if (entry.expiresAt <= at) entries.delete(k);
    }
  }

  function attempt(key: string, codeHash: string, nowMs: number, at: number): CodeAttempt {
    const entry = live(key, at);
    if (!entry) return { outcome: 'missing' };
    const code = JSON.parse(entry.json) as StoredCode;
    if (nowMs > code.expiresAt) {
      entries.delete(key);
      return { outcome: 'expired' };
    }
    if (sameHash(code.hash, codeHash)) {
      entries.delete(key);
      return { outcome: 'match' };
    }
    const attemptsLeft = code.attemptsLeft - 1;
    if (attemptsLeft <= 0) entries.delete(key);
    else entry.json = JSON.stringify({ ...code, attemptsLeft }); // keeps the entry's expiry
    return { outcome: 'mismatch', attemptsLeft: Math.max(attemptsLeft, 0) };
  }

  return {
    async put(key, value, ttlMs) {
      write(key, value, ttlMs, now());
    },

    async putIfAbsent(key, value, ttlMs) {
      const at = now();
      if (live(key, at)) return false;
      write(key, value, ttlMs, at);
      return true;
    },

    async get<T>(key: string) {
      const entry = live(key, now());
      return entry ? (JSON.parse(entry.json) as T) : null;
    },

    async take<T>(key: string) {
      const entry = live(key, now());
      if (!entry) return null;
      entries.delete(key);
      return JSON.parse(entry.json) as T;
    },

    async delete(key) {
      entries.delete(key);
    },

    async increment(key, ttlMs) {
      const at = now();
      const entry = live(key, at);
      if (!entry) {
        write(key, 1, ttlMs, at);
        return 1;
      }
      const count: unknown = JSON.parse(entry.json);
      // Same refusal as Redis INCR on a non-counter, so both adapters fail alike.
      if (!Number.isSafeInteger(count))
        throw new TypeError(`increment: ${key} does not hold a counter`);
      entry.json = JSON.stringify((count as number) + 1);
      return (count as number) + 1;
    },

    async ttlMs(key) {
      const at = now();
      const entry = live(key, at);
      return entry ? entry.expiresAt - at : null;
    },

    async attemptCode(key, codeHash, nowMs): Promise<CodeAttempt> {
      return attempt(key, codeHash, nowMs, now());
    },

    // The same steps as the Upstash script, from the first read to the last write without an await.
    async checkTicketCode<T>(check: TicketCodeCheck): Promise<TicketCodeOutcome<T>> {
      const at = now();
      const entry = live(check.ticketKey, at);
      if (!entry) return { outcome: 'no-ticket' };
      type Restart = { key: string; windowMs: number };
      const ticket = JSON.parse(entry.json) as T & {
        userId: string;
        stage: string;
        expiresAt: number;
        codeTries?: number;
        restartOnMatch?: Restart[];
      };
      if (!(ticket.expiresAt > check.nowMs)) return { outcome: 'no-ticket' };
      if (ticket.stage !== 'code-sent') return { outcome: 'no-code', ticket };
      const failuresKey = check.failuresKeyPrefix + ticket.userId;
      const failures = Number(JSON.parse(live(failuresKey, at)?.json ?? '0'));
      if (failures >= check.accountFailureLimit) return { outcome: 'locked', ticket };
      if (check.codeHash === null) return { outcome: 'malformed', ticket };
      const tries = (ticket.codeTries ?? 0) + 1;
      entry.json = JSON.stringify({ ...ticket, codeTries: tries }); // keeps the entry's expiry
      if (tries > check.ticketTryLimit) return { outcome: 'limited', ticket };

      const result = attempt(check.codeKey, check.codeHash, check.nowMs, at);
      if (result.outcome === 'mismatch') {
        const counter = live(failuresKey, at);
        if (counter) counter.json = JSON.stringify(Number(JSON.parse(counter.json)) + 1);
        else write(failuresKey, 1, check.accountFailureWindowMs, at);
        return { outcome: 'mismatch', attemptsLeft: result.attemptsLeft, ticket };
      }
      if (result.outcome !== 'match') return { outcome: result.outcome, ticket };
      for (const key of [check.codeKey, check.cooldownKey, check.ticketKey, failuresKey])
        entries.delete(key);
      for (const counter of ticket.restartOnMatch ?? [])
        entries.delete(`${counter.key}:${Math.floor(check.nowMs / counter.windowMs)}`);
      if (check.verifiedTtlMs !== null) {
        const verified = {
          ...ticket,
          codeTries: undefined,
          restartOnMatch: undefined,
          stage: 'verified',
          method: 'code',
          trustRequested: check.trustRequested,
          expiresAt: check.nowMs + check.verifiedTtlMs,
        };
        write(check.verifiedKey, verified, check.verifiedTtlMs, at);
      }
      return { outcome: 'match', ticket };
    },
  };
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('ExpiringStore values must be JSON-serialisable');
  return json;
}

function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs < 1)
    throw new RangeError(`ttlMs must be at least 1, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}
