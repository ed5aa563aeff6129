import { createHash } from 'node:crypto';
import { addressBucket } from '@/lib/client-address';
import type { PolicyName, RatePolicies } from './policies';

// The port for counting against the policy table. Two adapters: @upstash/ratelimit when the store
// is Upstash (upstash-rate-limiter.ts), and the same fixed windows over the ExpiringStore port's
// atomic increment for the zero-config in-process store (store-rate-limiter.ts). One contract
// suite (rate-limiter.contract.test.ts) holds both to the same answers.

export type LimitDecision = {
  allowed: boolean;
  /** Hits left in this window after this one (for peek: before the next one). */
  remaining: number;
  /** Epoch ms when the window turns over and the count starts again. */
  resetAt: number;
};

export interface RateLimiter {
  readonly policies: RatePolicies;
  /** Counts one hit for `subject` under `policy`; refused hits count too, as in Redis INCR. */
  hit(policy: PolicyName, subject: string): Promise<LimitDecision>;
  /** Whether the next hit would be allowed, without counting one. */
  peek(policy: PolicyName, subject: string): Promise<LimitDecision>;
  /** Forgets the count of `subject` in the current window. */
  reset(policy: PolicyName, subject: string): Promise<void>;
  /**
   * Where `subject`'s counters under `policy` live, relative to the deployment's key prefix (the
   * store's): the counter of window `n` (`floor(now / windowMs)`) is `<this>:<n>`. Lets one store
   * script restart a counter in the same round trip as other work (a correct code, OTP-06).
   */
  counterKey(policy: PolicyName, subject: string): string;
}

/**
 * Subjects are IP addresses, emails, phone numbers, ids: keys hold only their SHA-256, so a store
 * dump lists no one, and no character of theirs can act as a Redis glob or key separator.
 */
export function subjectKey(subject: string): string {
  return createHash('sha256').update(subject).digest('base64url');
}

/** The fixed window a moment falls in: index and when it ends. */
export function windowAt(windowMs: number, now: number): { bucket: number; resetAt: number } {
  const bucket = Math.floor(now / windowMs);
  return { bucket, resetAt: (bucket + 1) * windowMs };
}

/** Whole seconds until `resetAt`, at least 1: what a Retry-After header and the message say. */
export function retryAfterSeconds(resetAt: number, now: number = Date.now()): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}

/**
 * The per-address subject: an IPv4 address, or the /64 an IPv6 address is in (one subscriber's
 * network, so stepping through it lifts nothing). Requests whose address is unknown (no trusted
 * proxy configured: `npm run dev`, a bare `next start`) share one subject, so a limit is never
 * lifted by hiding the address; docs/decisions/0017-client-address.md.
 */
export function ipSubject(ip: string | null | undefined): string {
  return `ip:${addressBucket(ip) ?? 'unknown'}`;
}
