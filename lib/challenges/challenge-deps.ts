import type { AuditEventInput } from '@/lib/audit/record-event';
import type { Channel, Sender } from '@/lib/delivery/sender';
import type { RateLimiter } from '@/lib/rate-limit/rate-limiter';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import type { ChannelRules } from './channel-policy';

// What the challenge module works with. Built once from configuration by lib/wiring.ts; tests
// pass their own store, clock and senders.

export type ChallengeDeps = {
  store: ExpiringStore;
  /** The policy table's counters (lib/rate-limit/policies.ts). */
  limits: RateLimiter;
  /** The sender for a channel, or null when the deployment has none. */
  senderFor(channel: Channel): Sender | null;
  audit(event: AuditEventInput): Promise<void>;
  /** Where a wrong-code notice goes: the account's email as stored now. */
  emailOf(userId: string): Promise<string | null>;
  /** The key that hashes codes (OTP-07). */
  hmacKey: Buffer;
  now(): number;
  /**
   * Runs work after the response has been sent (Next.js `after()`), for what must not make an
   * answer slower or reveal anything by its timing (BF-04), such as a notice email.
   */
  defer(task: () => Promise<void>): void;
  config: ChannelRules & {
    otpTtlSeconds: number;
    resendCooldownSeconds: number;
    origin: string;
  };
};

/** A request refused by a limit: when to try again, never which limit (BF-04). */
export type Limited = { ok: false; reason: 'limited'; retryAfterSeconds: number };

/** Wrong codes across all codes, channels and purposes of one account before codes are refused (OTP-05; NIST's ceiling). */
export const ACCOUNT_CODE_FAILURE_LIMIT = 100;
export const ACCOUNT_CODE_FAILURE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The account's wrong-code counter (OTP-05); cleared by a correct code or an admin. */
export const codeFailuresKey = (userId: string) => `code-failures:${userId}`;
/** The account's wrong codes for the owner's notice (OTP-13); a correct code does not clear it. */
export const wrongCodesKey = (userId: string) => `wrong-codes:${userId}`;

export async function isAccountCodeLocked(store: ExpiringStore, userId: string): Promise<boolean> {
  return ((await store.get<number>(codeFailuresKey(userId))) ?? 0) >= ACCOUNT_CODE_FAILURE_LIMIT;
}
