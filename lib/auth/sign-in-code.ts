import { handOver, NAMING_TTL_MS, readTicket } from '@/lib/auth/login-ticket';
import type {
  Limited,
  LoginTicket,
  RequestInfo,
  SignInDeps,
  SignInUser,
} from '@/lib/auth/sign-in-types';
import { factorChoices } from '@/lib/auth/sign-in-factor';
import { keepForEnrolment, needsEnrolment } from '@/lib/auth/sign-in-enrol';
import { checkChallengeCode, toCodeRefusal, type CodeRefusal } from '@/lib/challenges/check-code';
import { phoneChannelsOpen } from '@/lib/challenges/channel-policy';
import { composeCodeMessage } from '@/lib/challenges/code-message';
import { maskDestination, sendChallengeCode } from '@/lib/challenges/send-code';
import { methodAllowed, type SignInMethodName } from '@/lib/policy/sign-in-policy';
import type { Channel } from '@/lib/delivery/sender';

// Steps 2 and 3 of the sign-in: choosing where the code goes, sending it, entering it. The code
// is the sign-in challenge's, so it shares every limit and rule of every other code
// (lib/challenges).

export type ChannelChoice = { channel: Channel; destination: string };

/**
 * The channels this account can use now, with masked destinations read from the database. SMS
 * and voice only to an allowed country, without the kill switch, within the day's budget.
 */
export async function channelChoices(deps: SignInDeps, user: SignInUser): Promise<ChannelChoice[]> {
  const allowed = (channel: Channel) =>
    !!deps.senderFor(channel) && methodAllowed(deps.config.policy, user, channel);
  const choices: ChannelChoice[] = [];
  if (allowed('email')) choices.push(emailChoice(user));
  const phoneChannels = (['sms', 'voice'] as const).filter(allowed);
  if (user.phone && phoneChannels.length) {
    if (await phoneChannelsOpen(deps.limits, deps.config, user.phone)) {
      for (const channel of phoneChannels)
        choices.push({ channel, destination: maskDestination(channel, user.phone) });
    }
  }
  return choices;
}

const emailChoice = (user: SignInUser): ChannelChoice => ({
  channel: 'email',
  destination: maskDestination('email', user.email),
});

/** The person's own factors, less those their role may not use. */
async function allowedFactors(deps: SignInDeps, user: SignInUser) {
  const held: Record<string, boolean> = await factorChoices(deps, user.id);
  const methodOf: Record<string, SignInMethodName> = {
    app: 'authenticator-app',
    backupCodes: 'backup-code',
    passkey: 'passkey',
  };
  const factors = { ...held };
  for (const key of Object.keys(factors))
    factors[key] = !!held[key] && methodAllowed(deps.config.policy, user, methodOf[key]!);
  return factors as Awaited<ReturnType<typeof factorChoices>>;
}

export type TicketView = {
  ticket: LoginTicket;
  user: SignInUser;
  choices: ChannelChoice[];
  /** The person's own factors, offered before the channels. */
  factors: { passkey: boolean; app: boolean; backupCodes: boolean };
  /** No factor the role allows: an email code, then setting up an app (sign-in-enrol.ts). */
  enrolment: boolean;
};

/** The pending sign-in behind a ticket id, or null when there is none (expired, used, forged). */
export async function viewTicket(
  deps: SignInDeps,
  ticketId: string | undefined,
): Promise<TicketView | null> {
  const ticket = await readTicket(deps.store, ticketId, deps.now());
  if (!ticket) return null;
  const user = await deps.users.findById(ticket.userId);
  if (!user || user.disabled) return null;
  const [choices, factors] = await Promise.all([
    channelChoices(deps, user),
    allowedFactors(deps, user),
  ]);
  if (needsEnrolment(deps, user, { choices, factors }))
    return { ticket, user, choices: [emailChoice(user)], factors, enrolment: true };
  return { ticket, user, choices, factors, enrolment: false };
}

export type SendCodeResult =
  | { ok: true; expiresAt: number }
  | { ok: false; reason: 'no-ticket' | 'channel-unavailable' | 'locked' }
  | { ok: false; reason: 'cooldown'; retryAfterSeconds: number }
  | { ok: false; reason: 'delivery-failed'; retryable: boolean }
  | Limited;

/**
 * Steps 2 and 3: send a code by `channel`. The destination is read from the database now, never
 * from the ticket, so a changed email or phone takes effect at the next send. A ticket exists
 * only after a correct password, so no code goes anywhere before one (FR-03).
 */
export async function sendCode(
  deps: SignInDeps,
  input: { ticketId: string | undefined; channel: Channel } & RequestInfo,
): Promise<SendCodeResult> {
  // The choices need not be listed again: sendChallengeCode applies the same channel policy.
  const ticket = await readTicket(deps.store, input.ticketId, deps.now());
  const user = ticket && (await deps.users.findById(ticket.userId));
  if (!ticket || !user || user.disabled || !input.ticketId)
    return { ok: false, reason: 'no-ticket' };
  const destination = input.channel === 'email' ? user.email : user.phone;
  if (!destination) return { ok: false, reason: 'channel-unavailable' };
  let enrol = false;
  if (!methodAllowed(deps.config.policy, user, input.channel)) {
    // Only an admin with no allowed factor may have an email code, and only to set one up.
    const held = {
      choices: await channelChoices(deps, user),
      factors: await allowedFactors(deps, user),
    };
    enrol = input.channel === 'email' && needsEnrolment(deps, user, held);
    if (!enrol) return { ok: false, reason: 'channel-unavailable' };
  }
  const result = await sendChallengeCode(deps, {
    id: input.ticketId,
    challenge: enrol ? { ...ticket, enrol } : ticket,
    channel: input.channel,
    destination,
    compose: composeCodeMessage,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return result.ok ? { ok: true, expiresAt: result.expiresAt } : result;
}

export type SubmitCodeResult =
  | { ok: true; next: 'session' | 'device-name' | 'enrol' }
  | { ok: false; reason: 'no-ticket' }
  | CodeRefusal;

/**
 * Step 3: the code, decided in one store operation (one Redis round trip). A match with "trust
 * this browser" leaves a verified ticket in the store for the device-name step (TD-08); without
 * it, the proof is handed in-process to completeSignIn, which the same request calls next.
 */
export async function submitCode(
  deps: SignInDeps,
  input: { ticketId: string | undefined; code: string; trust?: boolean } & RequestInfo,
): Promise<SubmitCodeResult> {
  const trust = !!input.trust;
  const result = await checkChallengeCode<LoginTicket>(deps, {
    id: input.ticketId,
    purpose: 'sign-in',
    code: input.code,
    verifiedTtlMs: trust ? NAMING_TTL_MS : null,
    trustRequested: trust,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  if (result.ok && result.challenge.enrol) {
    // No session yet: the code only opens the setup of a factor the role allows.
    await keepForEnrolment(deps, input.ticketId!, result.challenge);
    return { ok: true, next: 'enrol' };
  }
  if (result.ok) {
    if (!trust)
      handOver(
        input.ticketId!,
        { userId: result.challenge.userId, method: 'code', events: [] },
        deps.now(),
      );
    return { ok: true, next: trust ? 'device-name' : 'session' };
  }
  return result.reason === 'no-challenge'
    ? { ok: false, reason: 'no-ticket' }
    : toCodeRefusal(result);
}
