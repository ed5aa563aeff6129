import type { Channel } from '@/lib/otp/delivery/sender';
import type { PolicyName } from './policies';
import { isAllowedDestination, numberPrefix } from './phone-destination';
import { ipSubject, type RateLimiter } from './rate-limiter';

// The limits on sending a code (OTP-06, FR-01, FR-03), applied before any sender is called.

export type SmsRules = {
  /** SMS_KILL_SWITCH: no SMS or voice at all. */
  killSwitch: boolean;
  /** SMS_ALLOWED_COUNTRY_CODES: calling codes without "+". */
  allowedCallingCodes: readonly string[];
};

/**
 * Whether codes by SMS or voice may go to `phone` now: not switched off, a country on the
 * allowlist (FR-01), and the day's budget not spent. When not, only email is offered (FR-03).
 */
export async function phoneChannelsOpen(
  limits: RateLimiter,
  rules: SmsRules,
  phone: string,
): Promise<boolean> {
  if (rules.killSwitch || !isAllowedDestination(phone, rules.allowedCallingCodes)) return false;
  return (await limits.peek('sms-daily-budget', 'all')).allowed;
}

type Send = { userId: string; channel: Channel; destination: string; ip: string | null };

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
 * The counters a correct code restarts (the account and the destination it reached), as the
 * ticket carries them so that the code step's one store operation can delete them.
 */
export function countersToRestart(
  limits: RateLimiter,
  send: Pick<Send, 'userId' | 'channel' | 'destination'>,
): { key: string; windowMs: number }[] {
  return [['code-send-account', send.userId] as [PolicyName, string], destinationCounter(send)].map(
    ([policy, subject]) => ({
      key: limits.counterKey(policy, subject),
      windowMs: limits.policies[policy].windowMs,
    }),
  );
}
