// The port for short-lived state: challenges (login tickets among them), one-time codes,
// cooldowns and counters.
// Two adapters implement it: Upstash Redis (production, and tests against a real Redis through
// the REST bridge) and an in-process map (the zero-config default; one process only).
// Keys are given without the deployment prefix; adapters add it. Values are JSON.

/** A one-time code as stored: never the code itself, only its keyed hash (OTP-07). */
export type StoredCode = {
  /** HMAC-SHA256 (base64url) of the code bound to its challenge. */
  hash: string;
  /** Epoch milliseconds after which the code is refused, whatever the key's TTL (OTP-02). */
  expiresAt: number;
  /** Wrong tries left before the code is burnt (OTP-05). */
  attemptsLeft: number;
};

/**
 * One code entered for a challenge (lib/challenges), decided in one atomic store operation (one
 * Redis round trip). The challenge record is a JSON object with at least `purpose`, `userId`
 * (string), `stage` and `expiresAt` (epoch ms), and optionally `restartOnMatch`. Its tries live under
 * their own key, so that no write of the record can forget them.
 */
export type CodeCheck = {
  /** The record must be of this purpose; another purpose's record is no challenge here. */
  purpose: string;
  recordKey: string;
  codeKey: string;
  cooldownKey: string;
  /** Well-formed codes entered for this challenge, across its codes. */
  triesKey: string;
  /** Where the verified copy of the record goes on a match, when `verifiedTtlMs` is set. */
  verifiedKey: string;
  /** The account's wrong-code counter is `failuresKeyPrefix + userId` (OTP-05). */
  failuresKeyPrefix: string;
  /** The account's wrong-code notice counter is `wrongCodesKeyPrefix + userId` (OTP-13). */
  wrongCodesKeyPrefix: string;
  /** The submitted code's keyed hash; null for a malformed entry, which is no guess and costs no try. */
  codeHash: string | null;
  nowMs: number;
  /** Wrong codes of one account after which codes are refused (OTP-05). */
  accountFailureLimit: number;
  /** Life of the account's wrong-code counter, from its first failure. */
  accountFailureWindowMs: number;
  /** Life of the notice counter, from its first failure; a success does not reset it. */
  wrongCodeWindowMs: number;
  /** Well-formed codes one challenge may be tried with; refused tries count too. */
  challengeTryLimit: number;
  /** On a match, the verified record is written for this long; null writes none. */
  verifiedTtlMs: number | null;
  /** Stored on the verified record (TD-08). */
  trustRequested: boolean;
};

export type CodeCheckOutcome<T> =
  | { outcome: 'no-challenge' }
  | {
      outcome: 'no-code' | 'locked' | 'limited' | 'malformed' | 'expired' | 'missing' | 'match';
      record: T;
    }
  | { outcome: 'mismatch'; attemptsLeft: number; wrongCodes: number; record: T };

/**
 * One password attempt on a name (BF-01, BF-02), counted *before* the password is checked, so
 * that a lock takes effect inside a burst of parallel attempts and on every instance.
 */
export type AttemptCount = {
  /** Attempts on the name: counted before each check, forgotten at a success. */
  counterKey: string;
  /** Present while the name is locked; its TTL is the lock's remaining time. */
  lockKey: string;
  /** Life of the counter, from its first attempt. */
  windowMs: number;
  /** Every `threshold`-th attempt starts a lock. */
  threshold: number;
  /** The k-th lock lasts `lockMs[k - 1]` ms; the last entry repeats. */
  lockMs: readonly number[];
};

export type AttemptCounted = {
  /** The counter after this attempt. */
  attempts: number;
  /** The lock this attempt found (ms left), or null: only then may it be checked for real. */
  lockedForMs: number | null;
  /** The lock this attempt started (it reached a multiple of the threshold), or null. */
  startedLockMs: number | null;
};

export interface ExpiringStore {
  /** Stores `value` under `key` for `ttlMs`, replacing what was there. */
  put(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Stores only when `key` is absent; true when it stored (cooldowns, locks). */
  putIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  get<T>(key: string): Promise<T | null>;
  /** Atomically reads and deletes: of many concurrent callers exactly one gets the value. */
  take<T>(key: string): Promise<T | null>;
  delete(key: string): Promise<void>;
  /** Adds one and returns the new count; the TTL is set when the counter is created. */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Milliseconds until `key` expires, or null when it does not exist. */
  ttlMs(key: string): Promise<number | null>;
  /**
   * A code entered for a challenge, in one atomic operation, in this order:
   * - no record, one of another purpose, or past its `expiresAt`: `no-challenge`; a stage other than `code-sent`: `no-code`;
   * - the account's wrong-code counter at or over the limit: `locked`; a malformed entry: `malformed`;
   * - the challenge's tries go up by one (the counter lives as long as the record); over the
   *   limit: `limited`;
   * - no code: `missing`; past the code's `expiresAt`: the code is deleted, `expired`;
   * - a wrong hash: the code loses a try (deleted at 0: burnt), the account counter and the notice
   *   counter go up by one (each created with its window), `mismatch` with both counts;
   * - the right hash: the code, cooldown, tries, record and account counter are deleted, and so is
   *   the current window (`<key>:<floor(nowMs / windowMs)>`) of each counter in the record's
   *   `restartOnMatch`; when asked, the record is written to `verifiedKey` as
   *   `stage: 'verified', method: 'code'` with `trustRequested` (without `restartOnMatch`).
   * The record answered is the one read. Of many concurrent correct submissions exactly one gets
   * `match` (OTP-03); concurrent wrong ones each spend one try (OTP-05).
   */
  checkCode<T>(check: CodeCheck): Promise<CodeCheckOutcome<T>>;
  /**
   * In one atomic operation: adds one to the counter (created with `windowMs`), reads what is
   * left of the lock, and when the new count is a multiple of `threshold` writes the lock
   * `{ failures: count }` for its length (unless a longer one is running). Of any number of concurrent
   * attempts, those counted after the lock-starting one all find the lock.
   */
  countAttempt(count: AttemptCount): Promise<AttemptCounted>;
  /**
   * Takes back one attempt that was never judged (refused by another limit first): the counter
   * goes down by one (never below zero, its TTL kept), and the lock goes too if that attempt
   * started it (its `failures` equals `attempts`). Atomic.
   */
  uncountAttempt(
    count: Pick<AttemptCount, 'counterKey' | 'lockKey'>,
    attempts: number,
  ): Promise<void>;
}

/** Thrown when the store cannot be reached or answers with an error; callers fail closed (AV-01). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
