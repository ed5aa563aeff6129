import type { RequestInfo } from '@/lib/audit/request-info';
import { DeliveryError, type Channel, type OutgoingMessage } from '@/lib/delivery/sender';
import { maskDestinationsIn, maskEmail, maskPhone } from '@/lib/delivery/mask-destination';
import { retryAfterSeconds } from '@/lib/rate-limit/rate-limiter';
import { challengeKeys, saveChallenge, type Challenge } from './challenge';
import { isAccountCodeLocked, type ChallengeDeps, type Limited } from './challenge-deps';
import { chargeCodeSend, channelOpen, countersToRestart } from './channel-policy';
import { CODE_MAX_ATTEMPTS, generateCode, hashCode } from './code';
import type { StoredCode } from '@/lib/store/expiring-store';
import { withEmailParts } from '@/lib/email/email-parts';

// Sending the code of a challenge, for every purpose: the channel policy, the account's lock, the
// cooldown and the send counters are checked before any sender is called (FR-01, FR-03, OTP-06).
// A new code replaces the previous one (a resend voids the old code). A failed send removes the
// new code and the cooldown, so the person can pick another channel at once and no try is
// charged (AV-02).

/** The key's TTL outlives the stored expiry a little, so an expired code says "expired", not "missing". */
const EXPIRY_GRACE_MS = 30_000;

/** The words around a code: the caller's, for what the code is for. */
export type ComposeCode = (input: {
  channel: Channel;
  to: string;
  code: string;
  ttlSeconds: number;
  origin: string;
}) => OutgoingMessage;

export type SendCodeResult =
  | { ok: true; expiresAt: number; to: string }
  | { ok: false; reason: 'channel-unavailable' | 'locked' }
  | { ok: false; reason: 'cooldown'; retryAfterSeconds: number }
  | { ok: false; reason: 'delivery-failed'; retryable: boolean }
  | Limited;

/** How a destination is shown: enough to recognise it, not enough to learn it. */
export function maskDestination(channel: Channel, destination: string): string {
  return channel === 'email' ? maskEmail(destination) : maskPhone(destination);
}

export async function sendChallengeCode<T extends Challenge>(
  deps: ChallengeDeps,
  input: {
    id: string;
    challenge: T;
    channel: Channel;
    destination: string;
    compose: ComposeCode;
    /** Extra audit detail (e.g. which change a step-up is for). */
    detail?: Record<string, string>;
  } & RequestInfo,
): Promise<SendCodeResult> {
  const { store, config } = deps;
  const { id, challenge, channel, destination } = input;
  const keys = challengeKeys(id);
  const sender = deps.senderFor(channel);
  if (!sender) return { ok: false, reason: 'channel-unavailable' };
  // One round of reads before anything is charged; the cooldown is asked first so that a refused
  // resend does not use up the counters.
  const [open, locked, cooling] = await Promise.all([
    channelOpen(deps.limits, config, channel, destination),
    isAccountCodeLocked(store, challenge.userId),
    cooldownLeft(deps, keys.cooldown),
  ]);
  if (!open) return { ok: false, reason: 'channel-unavailable' };
  if (locked) return { ok: false, reason: 'locked' };
  if (cooling) return cooling;

  const who = { userId: challenge.userId, ip: input.ip, userAgent: input.userAgent };
  const masked = maskDestination(channel, destination);
  const detail = { purpose: challenge.purpose, ...input.detail, channel, to: masked };
  const send = { userId: challenge.userId, channel, destination, ip: input.ip };
  const refused = await chargeCodeSend(deps.limits, send);
  if (refused) {
    const limit = {
      policy: refused.policy,
      step: 'code-send',
      purpose: challenge.purpose,
      channel,
    };
    await deps.audit({ type: 'ratelimit.hit', ...who, detail: limit });
    // A spent SMS budget closes SMS and voice for everyone: "choose another method".
    if (refused.policy === 'sms-daily-budget') return { ok: false, reason: 'channel-unavailable' };
    return { ok: false, reason: 'limited', retryAfterSeconds: retryAfterSeconds(refused.resetAt) };
  }

  const now = deps.now();
  if (config.resendCooldownSeconds > 0) {
    const claimed = await store.putIfAbsent(
      keys.cooldown,
      now,
      config.resendCooldownSeconds * 1000,
    );
    if (!claimed) return (await cooldownLeft(deps, keys.cooldown)) ?? cooldown(1000);
  }
  const code = generateCode();
  const ttlSeconds = config.otpTtlSeconds;
  const expiresAt = now + ttlSeconds * 1000;
  const stored: StoredCode = {
    hash: hashCode(deps.hmacKey, id, code),
    expiresAt,
    attemptsLeft: CODE_MAX_ATTEMPTS,
  };
  await store.put(keys.code, stored, ttlSeconds * 1000 + EXPIRY_GRACE_MS);

  try {
    const message = input.compose({
      channel,
      to: destination,
      code,
      ttlSeconds,
      origin: config.origin,
    });
    await sender.send(await withEmailParts(message, config.origin));
  } catch (error) {
    await Promise.all([store.delete(keys.code), store.delete(keys.cooldown)]);
    const failure =
      error instanceof DeliveryError
        ? error
        : new DeliveryError('The message could not be sent', {
            channel,
            retryable: true,
            cause: error,
          });
    await deps.audit({
      type: 'code.send_failed',
      ...who,
      // A provider's words may quote the number or address: only masked forms are kept (RC-06).
      detail: { ...detail, error: maskDestinationsIn(failure.message, [destination]) },
    });
    return { ok: false, reason: 'delivery-failed', retryable: failure.retryable };
  }
  const restartOnMatch = countersToRestart(deps.limits, send);
  const sent = {
    ...challenge,
    stage: 'code-sent',
    channel,
    codeExpiresAt: expiresAt,
    codeSentAt: now,
    restartOnMatch,
  };
  await saveChallenge(store, id, sent, now);
  await deps.audit({ type: 'code.sent', ...who, detail });
  return { ok: true, expiresAt, to: masked };
}

function cooldown(ms: number) {
  return {
    ok: false,
    reason: 'cooldown',
    retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)),
  } as const;
}

async function cooldownLeft(deps: ChallengeDeps, key: string) {
  if (deps.config.resendCooldownSeconds <= 0) return null;
  const left = await deps.store.ttlMs(key);
  return left ? cooldown(left) : null;
}
