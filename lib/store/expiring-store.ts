// The port for short-lived state: login tickets, one-time codes, cooldowns and counters.
// Two adapters implement it: Upstash Redis (production, and tests against a real Redis through
// the REST bridge) and an in-process map (the zero-config default; one process only).
// Keys are given without the deployment prefix; adapters add it. Values are JSON.

/** A one-time code as stored: never the code itself, only its keyed hash (OTP-07). */
export type StoredCode = {
  /** HMAC-SHA256 (base64url) of the code bound to its ticket. */
  hash: string;
  /** Epoch milliseconds after which the code is refused, whatever the key's TTL (OTP-02). */
  expiresAt: number;
  /** Wrong tries left before the code is burnt (OTP-05). */
  attemptsLeft: number;
};

export type CodeAttempt =
  | { outcome: 'match' }
  | { outcome: 'mismatch'; attemptsLeft: number }
  | { outcome: 'expired' }
  | { outcome: 'missing' };

/**
 * One code step of a sign-in, decided in one atomic store operation (one Redis round trip). The
 * ticket is a JSON object with at least `userId` (string), `stage`, `expiresAt` (epoch ms) and
 * optionally `codeTries`; the account's wrong-code counter lives at `failuresKeyPrefix + userId`.
 */
export type TicketCodeCheck = {
  ticketKey: string;
  codeKey: string;
  cooldownKey: string;
  /** Where the verified ticket goes on a match, when `verifiedTtlMs` is set. */
  verifiedKey: string;
  failuresKeyPrefix: string;
  /** The submitted code's keyed hash; null for a malformed entry, which is no guess and costs no try. */
  codeHash: string | null;
  nowMs: number;
  /** Wrong codes of one account after which codes are refused (OTP-05). */
  accountFailureLimit: number;
  /** Life of the account's wrong-code counter, from its first failure. */
  accountFailureWindowMs: number;
  /** Well-formed codes one ticket may be tried with, across its codes; refused tries count too. */
  ticketTryLimit: number;
  /** On a match, the verified ticket is written for this long; null writes none (handed over in-process). */
  verifiedTtlMs: number | null;
  /** Stored on the verified ticket (TD-08). */
  trustRequested: boolean;
};

export type TicketCodeOutcome<T> =
  | { outcome: 'no-ticket' }
  | {
      outcome: 'no-code' | 'locked' | 'limited' | 'malformed' | 'expired' | 'missing' | 'match';
      ticket: T;
    }
  | { outcome: 'mismatch'; attemptsLeft: number; ticket: T };

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
   * Atomically checks a submitted code hash against the StoredCode at `key`:
   * - expired (nowMs > expiresAt): deletes it, `expired`;
   * - equal hash: deletes it (single use, OTP-03), `match`;
   * - otherwise decrements attemptsLeft, deleting the code when it reaches 0, `mismatch`.
   * Of many concurrent correct submissions exactly one gets `match`.
   */
  attemptCode(key: string, codeHash: string, nowMs: number): Promise<CodeAttempt>;
  /**
   * A whole code step in one atomic operation, in this order:
   * - no ticket, or past its `expiresAt`: `no-ticket`; a stage other than `code-sent`: `no-code`;
   * - the account's wrong-code counter at or over the limit: `locked`; a malformed entry: `malformed`;
   * - the ticket's `codeTries` goes up by one; over the limit: `limited` (the count is kept);
   * - then attemptCode's logic on `codeKey` (`missing`, `expired`, `match`, `mismatch` with 0 left = burnt);
   *   a mismatch also counts one failure on the account counter (created with its window);
   * - on a match the code, cooldown, ticket and account counter are deleted, and so is the current
   *   window (`<key>:<floor(nowMs / windowMs)>`) of each counter in the ticket's `restartOnMatch`;
   *   when asked, the ticket is written to `verifiedKey` as `stage: 'verified', method: 'code'`
   *   with `trustRequested` (and without `codeTries` and `restartOnMatch`).
   * The ticket answered is the one read (before `codeTries` changed). Of many concurrent correct
   * submissions exactly one gets `match` (OTP-03).
   */
  checkTicketCode<T>(check: TicketCodeCheck): Promise<TicketCodeOutcome<T>>;
}

/** Thrown when the store cannot be reached or answers with an error; callers fail closed (AV-01). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
