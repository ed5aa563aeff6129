import type { ExpiringStore, StoredCode } from '@/lib/store/expiring-store';
import { codeKey, cooldownKey } from '@/lib/auth/login-ticket';
import { composeCodeMessage } from '@/lib/otp/code-message';
import { CODE_MAX_ATTEMPTS, generateCode, hashCode } from '@/lib/otp/code';
import { DeliveryError, type Channel, type Sender } from '@/lib/otp/delivery/sender';

// Sending a code: a new code replaces the previous one (a resend voids the old code, OTP-06),
// behind a per-ticket cooldown. A failed send removes the new code and the cooldown, so the
// person can pick another channel at once and no try is charged (AV-02).

/** The key's TTL outlives the stored expiry a little, so an expired code says "expired", not "missing". */
const EXPIRY_GRACE_MS = 30_000;

export type IssueCodeInput = {
  store: ExpiringStore;
  sender: Sender;
  hmacKey: Buffer;
  ticketId: string;
  channel: Channel;
  destination: string;
  ttlSeconds: number;
  cooldownSeconds: number;
  origin: string;
  now: number;
  random?: (max: number) => number;
};

export type IssueCodeResult =
  | { ok: true; expiresAt: number; sentAt: number }
  | { ok: false; reason: 'cooldown'; retryAfterSeconds: number }
  | { ok: false; reason: 'delivery-failed'; retryable: boolean; error: DeliveryError };

export async function issueCode(input: IssueCodeInput): Promise<IssueCodeResult> {
  const { store, ticketId, now } = input;
  if (input.cooldownSeconds > 0) {
    const claimed = await store.putIfAbsent(
      cooldownKey(ticketId),
      now,
      input.cooldownSeconds * 1000,
    );
    if (!claimed) {
      const left = (await store.ttlMs(cooldownKey(ticketId))) ?? 1000;
      return {
        ok: false,
        reason: 'cooldown',
        retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)),
      };
    }
  }

  const code = generateCode(input.random);
  const expiresAt = now + input.ttlSeconds * 1000;
  const stored: StoredCode = {
    hash: hashCode(input.hmacKey, ticketId, code),
    expiresAt,
    attemptsLeft: CODE_MAX_ATTEMPTS,
  };
  await store.put(codeKey(ticketId), stored, input.ttlSeconds * 1000 + EXPIRY_GRACE_MS);

  const message = composeCodeMessage({
    channel: input.channel,
    to: input.destination,
    code,
    ttlSeconds: input.ttlSeconds,
    origin: input.origin,
  });
  try {
    await input.sender.send(message);
  } catch (error) {
    await Promise.all([store.delete(codeKey(ticketId)), store.delete(cooldownKey(ticketId))]);
    const failure =
      error instanceof DeliveryError
        ? error
        : new DeliveryError('The message could not be sent', {
            channel: input.channel,
            retryable: true,
            cause: error,
          });
    return { ok: false, reason: 'delivery-failed', retryable: failure.retryable, error: failure };
  }
  return { ok: true, expiresAt, sentAt: now };
}
