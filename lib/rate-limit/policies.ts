// Every limit on signing in and on one-time codes, as data: what is counted, per whom, how many, over what window.
// Windows are fixed (aligned to multiples of their length since the epoch, so the daily budget
// turns over at 00:00 UTC); both limiters (lib/rate-limit/*-rate-limiter.ts) count the same way.
// Why these numbers: docs/decisions/0009-limits-and-lockout.md.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export type RatePolicy = {
  /** Hits allowed per window; the next one is refused until the window turns over. */
  limit: number;
  windowMs: number;
  /** What one hit is, for the audit trail and the reader. */
  counts: string;
};

export type PolicyName =
  | 'password-ip'
  | 'password-global'
  | 'code-send-account'
  | 'code-send-email'
  | 'code-send-phone'
  | 'code-send-prefix'
  | 'code-send-ip'
  | 'sms-daily-budget'
  | 'code-try-challenge';

export type RatePolicies = Record<PolicyName, RatePolicy>;

/** The production table; `smsDailyBudget` comes from SMS_DAILY_BUDGET. */
export function ratePolicies(options: { smsDailyBudget: number }): RatePolicies {
  return {
    // Passwords (BF-05). Only failures are counted, so an office behind one address is not
    // stopped by its own successful sign-ins; the per-account counter is the lockout below.
    'password-ip': {
      limit: 30,
      windowMs: 15 * MINUTE,
      counts: 'failed password from one IP address',
    },
    // A circuit breaker against stuffing spread over many addresses: when tripped, every password
    // try waits for the window (a denial of service we accept over handing out accounts).
    'password-global': {
      limit: 2000,
      windowMs: 5 * MINUTE,
      counts: 'failed password, any account, any address',
    },

    // Codes sent (OTP-06, FR-03). Account and destination counters restart at a successful
    // sign-in: a person who receives their codes is never capped; someone who only has the
    // password is.
    'code-send-account': {
      limit: 30,
      windowMs: HOUR,
      counts: 'code sent for one account, any channel',
    },
    'code-send-email': { limit: 30, windowMs: HOUR, counts: 'code sent to one email address' },
    'code-send-phone': {
      limit: 10,
      windowMs: HOUR,
      counts: 'code sent by SMS or voice to one phone number',
    },
    // SMS pumping goes through ranges of premium numbers: count the first 6 digits of E.164.
    'code-send-prefix': {
      limit: 100,
      windowMs: HOUR,
      counts: 'code sent by SMS or voice to one number prefix',
    },
    // Per address only for SMS and voice, which cost money; email sends are bounded per account.
    'code-send-ip': {
      limit: 60,
      windowMs: HOUR,
      counts: 'code sent by SMS or voice from one IP address',
    },
    'sms-daily-budget': {
      limit: options.smsDailyBudget,
      windowMs: 24 * HOUR,
      counts: 'code sent by SMS or voice, whole deployment, per UTC day',
    },

    // Code tries for one challenge, across its codes: each code allows 5, a resend brings 5 more.
    'code-try-challenge': {
      limit: 10,
      windowMs: 10 * MINUTE,
      counts: 'code entered for one challenge (sign-in, confirmation or new destination)',
    },
  };
}

/**
 * Account lockout (BF-01): the per-account password counter. Every `threshold` failures lock the
 * account, first for `firstLockMs`, doubling each time, at most `maxLockMs`. Failures are
 * forgotten `failureWindowMs` after the first one, or at a successful sign-in.
 */
export const lockoutPolicy = {
  threshold: 5,
  firstLockMs: MINUTE,
  maxLockMs: HOUR,
  failureWindowMs: 24 * HOUR,
} as const;

export type LockoutPolicy = {
  threshold: number;
  firstLockMs: number;
  maxLockMs: number;
  failureWindowMs: number;
};
