import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import type {
  AttemptCount,
  AttemptCounted,
  CodeCheck,
  CodeCheckOutcome,
  ExpiringStore,
  StoredCode,
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

  /** Adds one to the counter at `key`, created with `ttlMs`; its expiry never moves. */
  function count(key: string, ttlMs: number, at: number): number {
    const entry = live(key, at);
    if (!entry) {
      write(key, 1, ttlMs, at);
      return 1;
    }
    const value: unknown = JSON.parse(entry.json);
    // Same refusal as Redis INCR on a non-counter, so both adapters fail alike.
    if (!Number.isSafeInteger(value))
      throw new TypeError(`increment: ${key} does not hold a counter`);
    entry.json = JSON.stringify((value as number) + 1);
    return (value as number) + 1;
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
      return count(key, ttlMs, now());
    },

    async ttlMs(key) {
      const at = now();
      const entry = live(key, at);
      return entry ? entry.expiresAt - at : null;
    },

    // The same steps as the Upstash script, from the first read to the last write without an await.
    async checkCode<T>(check: CodeCheck): Promise<CodeCheckOutcome<T>> {
      const at = now();
      const entry = live(check.recordKey, at);
      if (!entry) return { outcome: 'no-challenge' };
      type Restart = { key: string; windowMs: number };
      const record = JSON.parse(entry.json) as T & {
        purpose: string;
        userId: string;
        stage: string;
        expiresAt: number;
        restartOnMatch?: Restart[];
      };
      if (record.purpose !== check.purpose || !(record.expiresAt > check.nowMs))
        return { outcome: 'no-challenge' };
      if (record.stage !== 'code-sent') return { outcome: 'no-code', record };
      const failuresKey = check.failuresKeyPrefix + record.userId;
      const failures = Number(JSON.parse(live(failuresKey, at)?.json ?? '0'));
      if (failures >= check.accountFailureLimit) return { outcome: 'locked', record };
      if (check.codeHash === null) return { outcome: 'malformed', record };
      const tries = count(check.triesKey, Math.max(1, record.expiresAt - check.nowMs), at);
      if (tries > check.challengeTryLimit) return { outcome: 'limited', record };

      const codeEntry = live(check.codeKey, at);
      if (!codeEntry) return { outcome: 'missing', record };
      const code = JSON.parse(codeEntry.json) as StoredCode;
      if (check.nowMs > code.expiresAt) {
        entries.delete(check.codeKey);
        return { outcome: 'expired', record };
      }
      if (!sameHash(code.hash, check.codeHash)) {
        const attemptsLeft = Math.max(code.attemptsLeft - 1, 0);
        if (attemptsLeft === 0) entries.delete(check.codeKey);
        else codeEntry.json = JSON.stringify({ ...code, attemptsLeft }); // keeps the expiry
        count(failuresKey, check.accountFailureWindowMs, at);
        const wrongCodes = count(
          check.wrongCodesKeyPrefix + record.userId,
          check.wrongCodeWindowMs,
          at,
        );
        return { outcome: 'mismatch', attemptsLeft, wrongCodes, record };
      }
      for (const key of [
        check.codeKey,
        check.cooldownKey,
        check.triesKey,
        check.recordKey,
        failuresKey,
      ])
        entries.delete(key);
      for (const counter of record.restartOnMatch ?? [])
        entries.delete(`${counter.key}:${Math.floor(check.nowMs / counter.windowMs)}`);
      if (check.verifiedTtlMs !== null) {
        const verified = {
          ...record,
          restartOnMatch: undefined,
          stage: 'verified',
          method: 'code',
          trustRequested: check.trustRequested,
          expiresAt: check.nowMs + check.verifiedTtlMs,
        };
        write(check.verifiedKey, verified, check.verifiedTtlMs, at);
      }
      return { outcome: 'match', record };
    },

    // The same steps as the Upstash script, without an await in between.
    async countAttempt(attempt: AttemptCount): Promise<AttemptCounted> {
      const at = now();
      const attempts = count(attempt.counterKey, attempt.windowMs, at);
      const lock = live(attempt.lockKey, at);
      const lockedForMs = lock ? lock.expiresAt - at : null;
      const due = lockFor(attempts, attempt);
      // A longer lock already running is kept: then nothing started, and nobody is told.
      const startedLockMs = due !== null && due >= (lockedForMs ?? 0) ? due : null;
      if (startedLockMs !== null) write(attempt.lockKey, { failures: attempts }, startedLockMs, at);
      return { attempts, lockedForMs, startedLockMs };
    },

    async uncountAttempt(attempt, attempts) {
      const at = now();
      const counter = live(attempt.counterKey, at);
      const value = counter ? Number(JSON.parse(counter.json)) : 0;
      if (counter && value > 0) counter.json = JSON.stringify(value - 1); // keeps the expiry
      const lock = live(attempt.lockKey, at);
      // Only if nothing was counted after it: a later attempt may have been refused by the lock.
      if (
        lock &&
        value === attempts &&
        (JSON.parse(lock.json) as { failures?: unknown }).failures === attempts
      )
        entries.delete(attempt.lockKey);
    },
  };
}

/** The lock the `attempts`-th attempt starts, or null when it is no multiple of the threshold. */
function lockFor(attempts: number, { threshold, lockMs }: AttemptCount): number | null {
  if (attempts < threshold || attempts % threshold !== 0 || lockMs.length === 0) return null;
  return lockMs[Math.min(attempts / threshold, lockMs.length) - 1]!;
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
