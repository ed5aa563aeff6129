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
}

/** Thrown when the store cannot be reached or answers with an error; callers fail closed (AV-01). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
