import type { RequestInfo } from '@/lib/audit/request-info';
import {
  confirmFreshCode,
  getFreshCodeUntil,
  sendFreshCode,
  viewFreshCode,
  type FreshCodeDeps,
  type SendFreshCodeResult,
} from '@/lib/auth/fresh-code';
import {
  endChallenge,
  pendingChallengeKey,
  readChallenge,
  startChallenge,
  type Challenge,
} from '@/lib/challenges/challenge';
import { checkChallengeCode, toCodeRefusal, type CodeRefusal } from '@/lib/challenges/check-code';
import { maskDestination, sendChallengeCode } from '@/lib/challenges/send-code';
import { contactChangedNotice } from '@/lib/notices/contact-changed-notice';
import { sendNotice } from '@/lib/notices/send-notice';
import { composeNewDestinationCodeMessage } from '@/lib/account/contact-code-message';
import { parsePhone } from '@/lib/users/phone';
import { checkEmail } from '@/lib/users/user-rules';

// A person changes their own email or phone (profile page), in three steps:
//  1. SE-07: unless this session confirmed it's them recently, a `step-up` code goes to their
//     CURRENT email first (lib/auth/fresh-code.ts, shared by every sensitive page).
//  2. The new destination gets a code: a `new-destination` challenge (email, or SMS for a
//     phone) with every limit and channel rule of any other code (lib/challenges).
//  3. The right code saves the change (the new phone counts as verified), revokes trusted
//     devices (TD-06), tells the old address (OTP-10) and is audited.

export type ContactKind = 'email' | 'phone';
type Contact = { email: string; phone: string | null };

export type ContactChangeDeps = FreshCodeDeps & {
  users: {
    contactOf(userId: string): Promise<Contact>;
    /** Whether another account has this email (any letter case). */
    emailTakenByOther(userId: string, email: string): Promise<boolean>;
    /**
     * Saves the proven destination, as verified at `at` (OTP-10). A new email also ends, in the
     * same transaction, the invitation and reset links sent to the old one (decision 0019).
     */
    saveContact(userId: string, kind: ContactKind, to: string, at: Date): Promise<void>;
  };
  /** Ends every trusted device of the user (TD-06). */
  revokeTrustedDevices(input: { userId: string; kind: ContactKind } & RequestInfo): Promise<void>;
  config: FreshCodeDeps['config'] & { phoneRegion: string };
};

type NewDestination = Challenge & {
  purpose: 'new-destination';
  kind: ContactKind;
  destination: string;
};

/** How long a started change waits for its code, resends included. */
const PENDING_MS = 10 * 60_000;

export type ContactChangeView = {
  /** Until when (epoch ms) the person may start a change without another code; null when not recent. */
  recentUntil: number | null;
  identity: { to: string; secondsLeft: number } | null;
  change: { kind: ContactKind; to: string; secondsLeft: number } | null;
};

async function pendingChange(deps: ContactChangeDeps, userId: string) {
  const sessionId = await deps.currentSessionId();
  if (!sessionId) return null;
  const key = pendingChallengeKey('new-destination', sessionId);
  const id = await deps.store.get<string>(key);
  const challenge = await readChallenge<NewDestination>(
    deps.store,
    id,
    'new-destination',
    deps.now(),
  );
  return id && challenge?.userId === userId ? { id, key, challenge } : null;
}

export async function viewContactChange(
  deps: ContactChangeDeps,
  userId: string,
): Promise<ContactChangeView> {
  const [fresh, pending] = await Promise.all([
    viewFreshCode(deps, userId),
    pendingChange(deps, userId),
  ]);
  const change = pending?.challenge;
  const secondsLeft = Math.max(0, Math.ceil(((change?.codeExpiresAt ?? 0) - deps.now()) / 1000));
  return {
    recentUntil: fresh.freshUntil,
    identity: fresh.pending,
    change: change ? { kind: change.kind, to: change.destination, secondsLeft } : null,
  };
}

export type SendResult = SendFreshCodeResult;

/** Step 1: a code to the person's current email: the shared "confirm it's you". */
export function sendIdentityCode(
  deps: ContactChangeDeps,
  input: { userId: string } & RequestInfo,
): Promise<SendResult> {
  return sendFreshCode(deps, { ...input, action: 'contact' });
}

/** Step 1's code. A match makes this session fresh for every sensitive page (SE-07). */
export function confirmIdentity(
  deps: ContactChangeDeps,
  input: { userId: string; code: string } & RequestInfo,
): Promise<{ ok: true } | CodeRefusal> {
  return confirmFreshCode(deps, input);
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
  const sessionId = await deps.currentSessionId();
  if (!sessionId || (await getFreshCodeUntil(deps, input.userId)) === null)
    return { ok: false, reason: 'not-recent' };
  const current = await deps.users.contactOf(input.userId);
  const parsed = parseDestination(input.kind, input.value, current, deps.config.phoneRegion);
  if (!parsed.ok) return parsed;
  const to = parsed.to;
  // Whether another account uses this email is not said here: only once the code shows the person
  // holds the mailbox (confirmContactChange), so this form cannot probe for accounts (BF-04).
  const existing = await pendingChange(deps, input.userId);
  const reuse =
    existing?.challenge.kind === input.kind && existing.challenge.destination === to
      ? existing
      : null;
  if (existing && !reuse) await endChallenge(deps.store, existing.id);
  const { id, challenge } =
    reuse ??
    (await startChallenge<NewDestination>(
      deps.store,
      { purpose: 'new-destination', userId: input.userId, kind: input.kind, destination: to },
      { ttlMs: PENDING_MS, now: deps.now() },
    ));
  if (!reuse)
    await deps.store.put(pendingChallengeKey('new-destination', sessionId), id, PENDING_MS);
  const result = await sendTo(deps, id, challenge, input);
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  const masked = maskDestination(input.kind === 'email' ? 'email' : 'sms', to);
  if (result.ok)
    await deps.audit({
      type: 'contact.change_requested',
      ...who,
      detail: {
        kind: input.kind,
        channel: challenge.kind === 'email' ? 'email' : 'sms',
        to: masked,
      },
    });
  return result;
}

function parseDestination(
  kind: ContactKind,
  value: string,
  current: Contact,
  region: string,
): { ok: true; to: string } | { ok: false; reason: 'invalid'; error: string } {
  const invalid = (error: string) => ({ ok: false, reason: 'invalid', error }) as const;
  if (kind === 'email') {
    const parsed = checkEmail(value);
    if (!parsed.ok) return invalid(parsed.error);
    if (parsed.value.toLowerCase() === current.email.toLowerCase())
      return invalid('That is already your email address.');
    return { ok: true, to: parsed.value };
  }
  const parsed = parsePhone(value, region);
  if (!parsed.ok) return invalid(parsed.error);
  if (parsed.e164 === current.phone) return invalid('That is already your phone number.');
  return { ok: true, to: parsed.e164 };
}

function sendTo(
  deps: ContactChangeDeps,
  id: string,
  challenge: NewDestination,
  who: RequestInfo,
): Promise<SendResult> {
  return sendChallengeCode(deps, {
    id,
    challenge,
    channel: challenge.kind === 'email' ? 'email' : 'sms',
    destination: challenge.destination,
    compose: composeNewDestinationCodeMessage,
    detail: { kind: challenge.kind },
    ip: who.ip,
    userAgent: who.userAgent,
  });
}

/** Step 2 again: a new code to the same new destination (the old code stops working, OTP-06). */
export async function resendContactChangeCode(
  deps: ContactChangeDeps,
  input: { userId: string } & RequestInfo,
): Promise<SendResult | { ok: false; reason: 'no-change' }> {
  const pending = await pendingChange(deps, input.userId);
  if (!pending) return { ok: false, reason: 'no-change' };
  return sendTo(deps, pending.id, pending.challenge, input);
}

export async function cancelContactChange(deps: ContactChangeDeps, userId: string): Promise<void> {
  const pending = await pendingChange(deps, userId);
  if (!pending) return;
  await Promise.all([endChallenge(deps.store, pending.id), deps.store.delete(pending.key)]);
}

export type ConfirmChangeResult =
  | { ok: true; kind: ContactKind }
  | CodeRefusal
  | { ok: false; reason: 'no-change' }
  | { ok: false; reason: 'already-used' };

/** Step 3: the code from the new destination. Only now does the account change. */
export async function confirmContactChange(
  deps: ContactChangeDeps,
  input: { userId: string; code: string } & RequestInfo,
): Promise<ConfirmChangeResult> {
  const pending = await pendingChange(deps, input.userId);
  if (!pending) return { ok: false, reason: 'no-change' };
  const { kind, destination: to } = pending.challenge;
  const result = await checkChallengeCode<NewDestination>(deps, {
    id: pending.id,
    purpose: 'new-destination',
    code: input.code,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  const masked = maskDestination(kind === 'email' ? 'email' : 'sms', to);
  const failed = (reason: string) =>
    deps.audit({ type: 'contact.change_failed', ...who, detail: { kind, reason, to: masked } });
  if (!result.ok) {
    const refusal = toCodeRefusal(result);
    if (refusal.reason !== 'malformed' && refusal.reason !== 'no-code')
      await failed(refusal.reason);
    return refusal;
  }
  await deps.store.delete(pending.key);

  const before = await deps.users.contactOf(input.userId);
  if (kind === 'email' && (await deps.users.emailTakenByOther(input.userId, to))) {
    await failed('already-used');
    return { ok: false, reason: 'already-used' };
  }
  // Trust ends before the new destination is saved, so no failure can leave it trusted (TD-06).
  await deps.revokeTrustedDevices({
    userId: input.userId,
    kind,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  const at = new Date(deps.now());
  await deps.users.saveContact(input.userId, kind, to, at);

  // The change stands whatever the mailbox does: the person just proved the new destination.
  const change = kind === 'email' ? { email: { to } } : { phone: { to } };
  const message = contactChangedNotice({
    to: before.email,
    change,
    at,
    by: 'self',
    origin: deps.config.origin,
  });
  const notice = await sendNotice(deps, { message, kind: 'contact-changed', ...who });
  const from =
    kind === 'email'
      ? maskDestination('email', before.email)
      : before.phone && maskDestination('sms', before.phone);
  await deps.audit({
    type: 'contact.changed',
    ...who,
    detail: { kind, by: 'self', from, to: masked, noticeSent: notice.sent },
  });
  return { ok: true, kind };
}
