import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { newTicketId } from '@/lib/auth/login-ticket';
import { freshUntil, markCodeFresh, recentCodeKey } from '@/lib/auth/fresh-code';
import { revokeAllTrustedDevices } from '@/lib/devices/trusted-devices';
import { issueCode } from '@/lib/otp/issue-code';
import { verifyCode, type VerifyCodeResult } from '@/lib/otp/verify-code';
import type { Channel, Sender } from '@/lib/otp/delivery/sender';
import { maskEmail, maskPhone } from '@/lib/otp/mask-destination';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import {
  composeContactCodeMessage,
  type ContactCodePurpose,
} from '@/lib/users/contact-code-message';
import { composeContactChangeNotice } from '@/lib/users/contact-change-notice';
import { parsePhone } from '@/lib/users/phone';
import { parseEmail } from '@/lib/users/user-form';

// A person changes their own email or phone (profile page). Three steps, each state in the
// expiring store keyed by user id (one change at a time per person):
//  1. SE-07: unless they entered a code here in the last 10 minutes, a code goes to their CURRENT
//     email first; entering it sets `recent-code:<userId>`.
//  2. The new destination gets a code (email, or SMS for a phone); the pending change keeps only a
//     random ticket id, and the code is stored as lib/otp stores sign-in codes (hashed, bound to
//     that ticket id, 5 tries, OTP_TTL_SECONDS).
//  3. The right code saves the change (the new phone counts as verified), revokes trusted devices
//     (TD-06), tells the old address (OTP-10) and is audited.

export type ContactChangeDeps = {
  store: ExpiringStore;
  senderFor(channel: Channel): Sender | null;
  hmacKey: Buffer;
  now(): number;
  config: {
    otpTtlSeconds: number;
    resendCooldownSeconds: number;
    origin: string;
    phoneRegion: string;
    /** SENSITIVE_ACTION_WINDOW_MINUTES in ms (lib/auth/fresh-code.ts); RECENT_CODE_MS when absent. */
    freshCodeWindowMs?: number;
  };
};

export type ContactKind = 'email' | 'phone';
type RequestInfo = { ip: string | null; userAgent: string | null };

/** How long an entered code counts as "recent" for SE-07, unless configured (config.freshCodeWindowMs). */
export const RECENT_CODE_MS = 10 * 60_000;
/** How long a started change (or identity check) waits for its code, resends included. */
const PENDING_MS = 10 * 60_000;
/** Codes this page may send per person per hour: the profile page must not become an SMS pump (FR-03). */
export const CONTACT_CODES_PER_HOUR = 10;

// `recent-code:<userId>` (recentCodeKey) is lib/auth/fresh-code.ts's: one code serves every sensitive page.
const identityKey = (userId: string) => `contact-identity:${userId}`;
const changeKey = (userId: string) => `contact-change:${userId}`;
const sendsKey = (userId: string) => `contact-sends:${userId}`;

type Pending = {
  ticketId: string;
  channel: 'email' | 'sms';
  to: string;
  codeExpiresAt: number;
  createdAt: number;
};
type PendingChange = Pending & { kind: ContactKind };

export type ContactChangeView = {
  /** Until when (epoch ms) the person may start a change without another code; null when not recent. */
  recentUntil: number | null;
  identity: { to: string; secondsLeft: number } | null;
  change: { kind: ContactKind; to: string; secondsLeft: number } | null;
};

export async function viewContactChange(
  deps: ContactChangeDeps,
  userId: string,
): Promise<ContactChangeView> {
  const [recent, identity, change] = await Promise.all([
    deps.store.get<number>(recentCodeKey(userId)),
    deps.store.get<Pending>(identityKey(userId)),
    deps.store.get<PendingChange>(changeKey(userId)),
  ]);
  const now = deps.now();
  const recentUntil = freshUntil(recent, now, deps.config.freshCodeWindowMs ?? RECENT_CODE_MS);
  const secondsLeft = (p: Pending) => Math.max(0, Math.ceil((p.codeExpiresAt - now) / 1000));
  return {
    recentUntil,
    identity: identity && { to: identity.to, secondsLeft: secondsLeft(identity) },
    change: change && { kind: change.kind, to: change.to, secondsLeft: secondsLeft(change) },
  };
}

export type SendResult =
  | { ok: true; codeExpiresAt: number }
  | { ok: false; reason: 'cooldown'; retryAfterSeconds: number }
  | { ok: false; reason: 'limited' | 'channel-unavailable' | 'delivery-failed' };

/** Issues a code for `pending` through lib/otp, in this page's words, and saves `pending` with it. */
async function sendFor<P extends Pending>(
  deps: ContactChangeDeps,
  userId: string,
  key: string,
  pending: Omit<P, 'codeExpiresAt'>,
  purpose: ContactCodePurpose,
): Promise<SendResult> {
  const inner = deps.senderFor(pending.channel);
  if (!inner) return { ok: false, reason: 'channel-unavailable' };
  if ((await deps.store.increment(sendsKey(userId), 3_600_000)) > CONTACT_CODES_PER_HOUR)
    return { ok: false, reason: 'limited' };
  const { otpTtlSeconds: ttlSeconds, origin } = deps.config;
  // issueCode words its message for sign-in; this sender rewords it for what the code is for here.
  const sender: Sender = {
    send: (m) =>
      inner.send(
        composeContactCodeMessage({
          channel: pending.channel,
          to: m.to,
          code: m.code ?? '',
          ttlSeconds,
          origin,
          purpose,
        }),
      ),
  };
  const now = deps.now();
  const result = await issueCode({
    store: deps.store,
    sender,
    hmacKey: deps.hmacKey,
    ticketId: pending.ticketId,
    channel: pending.channel,
    destination: pending.to,
    ttlSeconds,
    cooldownSeconds: deps.config.resendCooldownSeconds,
    origin,
    now,
  });
  if (!result.ok)
    return result.reason === 'cooldown' ? result : { ok: false, reason: 'delivery-failed' };
  // The pending state keeps its first deadline: resending never stretches it.
  const ttlMs = pending.createdAt + PENDING_MS - now;
  if (ttlMs > 0) await deps.store.put(key, { ...pending, codeExpiresAt: result.expiresAt }, ttlMs);
  return { ok: true, codeExpiresAt: result.expiresAt };
}

/** verifyCode, telling a code that timed out and was swept away ("expired") from one never sent. */
async function checkCode(
  deps: ContactChangeDeps,
  pending: Pending,
  code: string,
  now: number,
): Promise<VerifyCodeResult> {
  const result = await verifyCode({
    store: deps.store,
    hmacKey: deps.hmacKey,
    ticketId: pending.ticketId,
    code,
    now,
  });
  return !result.ok && result.reason === 'no-code' && pending.codeExpiresAt <= now
    ? { ok: false, reason: 'expired' }
    : result;
}

/** Step 1: a code to the person's current email (read from the database now), or a new one. */
export async function sendIdentityCode(
  deps: ContactChangeDeps,
  input: { userId: string } & RequestInfo,
): Promise<SendResult> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: input.userId },
    select: { email: true },
  });
  const existing = await deps.store.get<Pending>(identityKey(input.userId));
  const reuse = existing && existing.to === user.email ? existing : null;
  const pending = {
    ticketId: reuse?.ticketId ?? newTicketId(),
    channel: 'email' as const,
    to: user.email,
    createdAt: reuse?.createdAt ?? deps.now(),
  };
  const result = await sendFor(
    deps,
    input.userId,
    identityKey(input.userId),
    pending,
    'confirm-identity',
  );
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  if (result.ok)
    await recordEvent({
      type: 'code.sent',
      ...who,
      detail: { purpose: 'contact-change', channel: 'email', to: maskEmail(user.email) },
    });
  else if (result.reason === 'delivery-failed')
    await recordEvent({
      type: 'code.send_failed',
      ...who,
      detail: { purpose: 'contact-change', channel: 'email' },
    });
  return result;
}

/** Step 1's code. A match makes the next 10 minutes "recent" (SE-07). */
export async function confirmIdentity(
  deps: ContactChangeDeps,
  input: { userId: string; code: string } & RequestInfo,
): Promise<VerifyCodeResult> {
  const pending = await deps.store.get<Pending>(identityKey(input.userId));
  if (!pending) return { ok: false, reason: 'no-code' };
  const now = deps.now();
  const result = await checkCode(deps, pending, input.code, now);
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  if (result.ok) {
    await markCodeFresh(
      deps.store,
      input.userId,
      now,
      deps.config.freshCodeWindowMs ?? RECENT_CODE_MS,
    );
    await deps.store.delete(identityKey(input.userId));
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
    await recordEvent({ type, ...who, detail: { purpose: 'contact-change', channel: 'email' } });
  }
  return result;
}

export type RequestChangeResult =
  | SendResult
  | { ok: false; reason: 'not-recent' }
  | { ok: false; reason: 'invalid'; error: string };

/** Step 2: the new email or phone gets a code. Nothing about the account changes yet. */
export async function requestContactChange(
  deps: ContactChangeDeps,
  input: { userId: string; kind: ContactKind; value: string } & RequestInfo,
): Promise<RequestChangeResult> {
  if ((await viewContactChange(deps, input.userId)).recentUntil === null)
    return { ok: false, reason: 'not-recent' };
  const user = await db.user.findUniqueOrThrow({
    where: { id: input.userId },
    select: { email: true, phone: true },
  });
  let to: string;
  if (input.kind === 'email') {
    const parsed = parseEmail(input.value);
    if (!parsed.ok) return { ok: false, reason: 'invalid', error: parsed.error };
    if (parsed.email.toLowerCase() === user.email.toLowerCase())
      return { ok: false, reason: 'invalid', error: 'That is already your email address.' };
    to = parsed.email;
  } else {
    const parsed = parsePhone(input.value, deps.config.phoneRegion);
    if (!parsed.ok) return { ok: false, reason: 'invalid', error: parsed.error };
    if (parsed.e164 === user.phone)
      return { ok: false, reason: 'invalid', error: 'That is already your phone number.' };
    to = parsed.e164;
  }
  // Whether another account uses this email is not said here: only once the code shows the person
  // holds the mailbox (confirmContactChange), so this form cannot probe for accounts (BF-04).
  const channel = input.kind === 'email' ? 'email' : 'sms';
  const existing = await deps.store.get<PendingChange>(changeKey(input.userId));
  const reuse = existing && existing.kind === input.kind && existing.to === to ? existing : null;
  const pending = {
    ticketId: reuse?.ticketId ?? newTicketId(),
    channel,
    to,
    kind: input.kind,
    createdAt: reuse?.createdAt ?? deps.now(),
  } as const;
  if (!reuse) await deps.store.delete(changeKey(input.userId));
  const result = await sendFor<PendingChange>(
    deps,
    input.userId,
    changeKey(input.userId),
    pending,
    'verify-destination',
  );
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  const masked = input.kind === 'email' ? maskEmail(to) : maskPhone(to);
  if (result.ok)
    await recordEvent({
      type: 'contact.change_requested',
      ...who,
      detail: { kind: input.kind, channel, to: masked },
    });
  else if (result.reason === 'delivery-failed')
    await recordEvent({
      type: 'contact.change_failed',
      ...who,
      detail: { kind: input.kind, reason: 'delivery-failed', to: masked },
    });
  return result;
}

/** Step 2 again: a new code to the same new destination (the old code stops working, OTP-06). */
export async function resendContactChangeCode(
  deps: ContactChangeDeps,
  input: { userId: string } & RequestInfo,
): Promise<SendResult | { ok: false; reason: 'no-change' }> {
  const pending = await deps.store.get<PendingChange>(changeKey(input.userId));
  if (!pending) return { ok: false, reason: 'no-change' };
  return sendFor<PendingChange>(
    deps,
    input.userId,
    changeKey(input.userId),
    pending,
    'verify-destination',
  );
}

export async function cancelContactChange(deps: ContactChangeDeps, userId: string): Promise<void> {
  await deps.store.delete(changeKey(userId));
}

export type ConfirmChangeResult =
  | { ok: true; kind: ContactKind }
  | Exclude<VerifyCodeResult, { ok: true }>
  | { ok: false; reason: 'no-change' }
  | { ok: false; reason: 'already-used' };

/** Step 3: the code from the new destination. Only now does the account change. */
export async function confirmContactChange(
  deps: ContactChangeDeps,
  input: { userId: string; code: string } & RequestInfo,
): Promise<ConfirmChangeResult> {
  const key = changeKey(input.userId);
  const pending = await deps.store.get<PendingChange>(key);
  if (!pending) return { ok: false, reason: 'no-change' };
  const now = deps.now();
  const result = await checkCode(deps, pending, input.code, now);
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  const masked = pending.kind === 'email' ? maskEmail(pending.to) : maskPhone(pending.to);
  if (!result.ok) {
    if (result.reason !== 'malformed' && result.reason !== 'no-code') {
      await recordEvent({
        type: 'contact.change_failed',
        ...who,
        detail: { kind: pending.kind, reason: result.reason, to: masked },
      });
    }
    return result;
  }
  await deps.store.delete(key);

  const before = await db.user.findUniqueOrThrow({
    where: { id: input.userId },
    select: { email: true, phone: true },
  });
  if (pending.kind === 'email') {
    const taken = await db.user.findFirst({
      where: { id: { not: input.userId }, email: { equals: pending.to, mode: 'insensitive' } },
      select: { id: true },
    });
    if (taken) {
      await recordEvent({
        type: 'contact.change_failed',
        ...who,
        detail: { kind: 'email', reason: 'already-used', to: masked },
      });
      return { ok: false, reason: 'already-used' };
    }
  }
  // Trust ends before the new destination is saved, so no failure can leave it trusted (TD-06).
  await revokeAllTrustedDevices({
    userId: input.userId,
    reason: pending.kind === 'email' ? 'email-changed' : 'phone-changed',
    actorId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  const at = new Date(now);
  await db.user.update({
    where: { id: input.userId },
    // The code just entered proves the person receives messages there (OTP-10).
    data:
      pending.kind === 'email'
        ? { email: pending.to, emailVerified: at }
        : { phone: pending.to, phoneVerifiedAt: at },
  });

  let noticeSent = false;
  try {
    const email = deps.senderFor('email');
    const change =
      pending.kind === 'email' ? { email: { to: pending.to } } : { phone: { to: pending.to } };
    if (email)
      await email.send(
        composeContactChangeNotice({
          to: before.email,
          change,
          at,
          by: 'self',
          origin: deps.config.origin,
        }),
      );
    noticeSent = !!email;
  } catch {
    // The change stands: the person just proved the new destination. The audit says the notice failed.
  }
  const from =
    pending.kind === 'email' ? maskEmail(before.email) : before.phone && maskPhone(before.phone);
  await recordEvent({
    type: 'contact.changed',
    ...who,
    detail: { kind: pending.kind, by: 'self', from, to: masked, noticeSent },
  });
  return { ok: true, kind: pending.kind };
}
