import type { Channel } from '@/lib/delivery/sender';
import type { PolicyName } from '@/lib/rate-limit/policies';
import { isAllowedDestination, numberPrefix } from '@/lib/rate-limit/phone-destination';
import { ipSubject, type RateLimiter } from '@/lib/rate-limit/rate-limiter';
import type { CounterRestart } from './challenge';

// The one channel policy: for every code of every purpose, which channels are open for whom, and
// what one send is charged to (OTP-06, FR-01, FR-03). sendChallengeCode applies it before any
// sender is called; nothing else in lib/ reaches a sender with a code.

export type ChannelRules = {
  /** SMS_KILL_SWITCH: no SMS or voice at all. */
  smsKillSwitch: boolean;
  /** SMS_ALLOWED_COUNTRY_CODES: calling codes without "+". */
  smsAllowedCallingCodes: readonly string[];
};

/**
 * Whether codes by SMS or voice may go to `phone` now: not switched off, a country on the
 * allowlist (FR-01), and the day's budget not spent. When not, only email is offered (FR-03).
 */
export async function phoneChannelsOpen(
  limits: RateLimiter,
  rules: ChannelRules,
  phone: string,
): Promise<boolean> {
  if (rules.smsKillSwitch || !isAllowedDestination(phone, rules.smsAllowedCallingCodes))
    return false;
  return (await limits.peek('sms-daily-budget', 'all')).allowed;
}

/** Whether a code may go by `channel` to `destination` now (before any counter is charged). */
export async function channelOpen(
  limits: RateLimiter,
  rules: ChannelRules,
  channel: Channel,
  destination: string,
): Promise<boolean> {
  return channel === 'email' || phoneChannelsOpen(limits, rules, destination);
}

export type Send = { userId: string; channel: Channel; destination: string; ip: string | null };

const destinationCounter = (send: Pick<Send, 'channel' | 'destination'>): [PolicyName, string] =>
  send.channel === 'email'
    ? ['code-send-email', send.destination.toLowerCase()]
    : ['code-send-phone', send.destination];

/** The counters one send is charged to, in order: the shared budget last, so that a send refused by another counter does not spend it. */
function countersFor(send: Send): [PolicyName, string][] {
  const counters: [PolicyName, string][] = [
    ['code-send-account', send.userId],
    destinationCounter(send),
  ];
  if (send.channel !== 'email') {
    counters.push(
      ['code-send-ip', ipSubject(send.ip)],
      ['code-send-prefix', numberPrefix(send.destination)],
      ['sms-daily-budget', 'all'],
    );
  }
  return counters;
}

/** Charges one send; null when every counter allowed it, else the first that refused. */
export async function chargeCodeSend(
  limits: RateLimiter,
  send: Send,
): Promise<{ policy: PolicyName; resetAt: number } | null> {
  for (const [policy, subject] of countersFor(send)) {
    const decision = await limits.hit(policy, subject);
    if (!decision.allowed) return { policy, resetAt: decision.resetAt };
  }
  return null;
}

/**
 * The counters a correct code restarts (the account and the destination it reached): a person
 * who receives their codes is never capped (OTP-06). The challenge record carries them so that
 * the code check's one store operation can delete them.
 */
export function countersToRestart(
  limits: RateLimiter,
  send: Pick<Send, 'userId' | 'channel' | 'destination'>,
): CounterRestart[] {
  return [['code-send-account', send.userId] as [PolicyName, string], destinationCounter(send)].map(
    ([policy, subject]) => ({
      key: limits.counterKey(policy, subject),
      windowMs: limits.policies[policy].windowMs,
    }),
  );
}
