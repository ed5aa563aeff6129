import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { newTicketId } from '@/lib/auth/login-ticket';
import { composeFreshCodeMessage, type SensitiveAction } from '@/lib/auth/fresh-code-message';
import { issueCode } from '@/lib/otp/issue-code';
import { verifyCode, type VerifyCodeResult } from '@/lib/otp/verify-code';
import type { Channel, Sender } from '@/lib/otp/delivery/sender';
import { maskEmail } from '@/lib/otp/mask-destination';
import type { ExpiringStore } from '@/lib/store/expiring-store';

// Fresh re-authentication before a sensitive change (SE-07, TD-10): changing the password, the
// email or phone, deleting all other trusted devices. A session proves nothing about now: it may
// be hours old, or come from a trusted browser that never saw a code. So the person enters a code
// sent to their current email, and for SENSITIVE_ACTION_WINDOW_MINUTES afterwards such changes
// are allowed. The moment is kept as `recent-code:<userId>` in the expiring store, the same key
// the profile's contact change writes, so one code serves every sensitive page.

export type FreshCodeDeps = {
  store: ExpiringStore;
  senderFor(channel: Channel): Sender | null;
  hmacKey: Buffer;
  now(): number;
  config: {
    otpTtlSeconds: number;
    resendCooldownSeconds: number;
    origin: string;
    freshCodeWindowMs: number;
  };
};

type RequestInfo = { ip: string | null; userAgent: string | null };

export const recentCodeKey = (userId: string) => `recent-code:${userId}`;
const pendingKey = (userId: string) => `fresh-code:${userId}`;
const sendsKey = (userId: string) => `fresh-code-sends:${userId}`;

/** How long a sent code (resends included) waits to be entered. */
const PENDING_MS = 10 * 60_000;
/** Codes these pages may send a person per hour, so they cannot be used to flood a mailbox. */
export const FRESH_CODES_PER_HOUR = 10;

type Pending = { ticketId: string; to: string; codeExpiresAt: number; createdAt: number };

/** Until when (epoch ms) a code entered at `enteredAt` counts as fresh; null when it no longer does. */
export function freshUntil(enteredAt: number | null, now: number, windowMs: number): number | null {
  return enteredAt !== null && now - enteredAt < windowMs ? enteredAt + windowMs : null;
}

/** Records that the person just entered a code sent to them. */
export async function markCodeFresh(
  store: ExpiringStore,
  userId: string,
  now: number,
  windowMs: number,
): Promise<void> {
  await store.put(recentCodeKey(userId), now, windowMs);
}

/** Until when the person may make sensitive changes without another code; null when a code is needed. */
export async function getFreshCodeUntil(
  deps: Pick<FreshCodeDeps, 'store' | 'now' | 'config'>,
  userId: string,
): Promise<number | null> {
  const enteredAt = await deps.store.get<number>(recentCodeKey(userId));
  return freshUntil(enteredAt, deps.now(), deps.config.freshCodeWindowMs);
}

export type FreshCodeView = {
  freshUntil: number | null;
  pending: { to: string; secondsLeft: number } | null;
};

export async function viewFreshCode(deps: FreshCodeDeps, userId: string): Promise<FreshCodeView> {
  const [until, pending] = await Promise.all([
    getFreshCodeUntil(deps, userId),
    deps.store.get<Pending>(pendingKey(userId)),
  ]);
  const secondsLeft = pending
    ? Math.max(0, Math.ceil((pending.codeExpiresAt - deps.now()) / 1000))
    : 0;
  return { freshUntil: until, pending: pending && { to: pending.to, secondsLeft } };
}

export type SendFreshCodeResult =
  | { ok: true; codeExpiresAt: number }
  | { ok: false; reason: 'cooldown'; retryAfterSeconds: number }
  | { ok: false; reason: 'limited' | 'channel-unavailable' | 'delivery-failed' };

/** A code to the person's current email (read from the database now), replacing any earlier one. */
export async function sendFreshCode(
  deps: FreshCodeDeps,
  input: { userId: string; action: SensitiveAction } & RequestInfo,
): Promise<SendFreshCodeResult> {
  const inner = deps.senderFor('email');
  if (!inner) return { ok: false, reason: 'channel-unavailable' };
  if ((await deps.store.increment(sendsKey(input.userId), 3_600_000)) > FRESH_CODES_PER_HOUR)
    return { ok: false, reason: 'limited' };
  const user = await db.user.findUniqueOrThrow({
    where: { id: input.userId },
    select: { email: true },
  });
  const now = deps.now();
  const existing = await deps.store.get<Pending>(pendingKey(input.userId));
  const reuse = existing && existing.to === user.email ? existing : null;
  const pending = {
    ticketId: reuse?.ticketId ?? newTicketId(),
    to: user.email,
    createdAt: reuse?.createdAt ?? now,
  };
  const { otpTtlSeconds: ttlSeconds, origin } = deps.config;
  // issueCode words its message for sign-in; this sender rewords it for the change at hand.
  const sender: Sender = {
    send: (m) =>
      inner.send(
        composeFreshCodeMessage({
          to: m.to,
          code: m.code ?? '',
          ttlSeconds,
          origin,
          action: input.action,
        }),
      ),
  };
  const result = await issueCode({
    store: deps.store,
    sender,
    hmacKey: deps.hmacKey,
    ticketId: pending.ticketId,
    channel: 'email',
    destination: user.email,
    ttlSeconds,
    cooldownSeconds: deps.config.resendCooldownSeconds,
    origin,
    now,
  });
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  if (!result.ok) {
    if (result.reason === 'cooldown') return result;
    await recordEvent({
      type: 'code.send_failed',
      ...who,
      detail: { purpose: 'sensitive-action', action: input.action, channel: 'email' },
    });
    return { ok: false, reason: 'delivery-failed' };
  }
  // Resending never stretches the first deadline.
  const ttlMs = pending.createdAt + PENDING_MS - now;
  if (ttlMs > 0)
    await deps.store.put(
      pendingKey(input.userId),
      { ...pending, codeExpiresAt: result.expiresAt },
      ttlMs,
    );
  await recordEvent({
    type: 'code.sent',
    ...who,
    detail: {
      purpose: 'sensitive-action',
      action: input.action,
      channel: 'email',
      to: maskEmail(user.email),
    },
  });
  return { ok: true, codeExpiresAt: result.expiresAt };
}

/** The code from sendFreshCode. A match makes the next window fresh (SE-07). */
export async function confirmFreshCode(
  deps: FreshCodeDeps,
  input: { userId: string; code: string } & RequestInfo,
): Promise<VerifyCodeResult> {
  const pending = await deps.store.get<Pending>(pendingKey(input.userId));
  if (!pending) return { ok: false, reason: 'no-code' };
  const now = deps.now();
  let result = await verifyCode({
    store: deps.store,
    hmacKey: deps.hmacKey,
    ticketId: pending.ticketId,
    code: input.code,
    now,
  });
  // A code swept away by its TTL reads as "no code"; the person should hear "expired".
  if (!result.ok && result.reason === 'no-code' && pending.codeExpiresAt <= now)
    result = { ok: false, reason: 'expired' };
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  if (result.ok) {
    await markCodeFresh(deps.store, input.userId, now, deps.config.freshCodeWindowMs);
    await deps.store.delete(pendingKey(input.userId));
    await recordEvent({ type: 'reauth.confirmed', ...who, detail: { channel: 'email' } });
  } else if (
    result.reason === 'mismatch' ||
    result.reason === 'burnt' ||
    result.reason === 'expired'
  ) {
    const type =
      result.reason === 'mismatch'
        ? 'code.rejected'
        : result.reason === 'burnt'
          ? 'code.burnt'
          : 'code.expired';
    await recordEvent({ type, ...who, detail: { purpose: 'sensitive-action', channel: 'email' } });
  }
  return result;
}
