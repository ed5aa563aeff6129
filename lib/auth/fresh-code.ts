import { createHash } from 'node:crypto';
import type { RequestInfo } from '@/lib/audit/request-info';
import { composeFreshCodeMessage, type SensitiveAction } from '@/lib/auth/fresh-code-message';
import {
  pendingChallengeKey,
  readChallenge,
  startChallenge,
  type Challenge,
} from '@/lib/challenges/challenge';
import type { ChallengeDeps } from '@/lib/challenges/challenge-deps';
import { checkChallengeCode, toCodeRefusal, type CodeRefusal } from '@/lib/challenges/check-code';
import { sendChallengeCode, type SendCodeResult } from '@/lib/challenges/send-code';

// Fresh re-authentication before a sensitive change (SE-07, TD-10): changing the password, the
// email or phone, deleting trusted devices, an admin changing how someone else signs in. A
// session proves nothing about now: it may be hours old, or come from a trusted browser that
// never saw a code. So the person enters a code sent to their current email (a `step-up`
// challenge), and for SENSITIVE_ACTION_WINDOW_MINUTES afterwards such changes are allowed — in
// THIS session only: another session of the same account (someone else's, perhaps) is not made
// fresh by the owner's code.

export type FreshCodeDeps = ChallengeDeps & {
  /** The Session row id of the request's session, or null without one. */
  currentSessionId(): Promise<string | null>;
  config: ChallengeDeps['config'] & { freshCodeWindowMs: number };
};

type StepUp = Challenge & { purpose: 'step-up'; destination: string };

/** How long a sent code (resends included) waits to be entered. */
const PENDING_MS = 10 * 60_000;

const pendingKey = (sessionId: string) => pendingChallengeKey('step-up', sessionId);
/** When the session last entered a step-up code, and whose session it is. */
const freshKey = (sessionId: string) =>
  `fresh:${createHash('sha256').update(sessionId).digest('base64url')}`;

type Fresh = { userId: string; at: number };

/** Until when (epoch ms) a code entered at `enteredAt` counts as fresh; null when it no longer does. */
export function freshUntil(enteredAt: number | null, now: number, windowMs: number): number | null {
  return enteredAt !== null && now - enteredAt < windowMs ? enteredAt + windowMs : null;
}

/** Until when this session may make sensitive changes without another code; null when a code is needed. */
export async function getFreshCodeUntil(
  deps: Pick<FreshCodeDeps, 'store' | 'now' | 'config' | 'currentSessionId'>,
  userId: string,
): Promise<number | null> {
  const sessionId = await deps.currentSessionId();
  if (!sessionId) return null;
  const fresh = await deps.store.get<Fresh>(freshKey(sessionId));
  if (!fresh || fresh.userId !== userId) return null;
  return freshUntil(fresh.at, deps.now(), deps.config.freshCodeWindowMs);
}

export type FreshCodeView = {
  freshUntil: number | null;
  pending: { to: string; secondsLeft: number } | null;
};

async function pendingStepUp(deps: FreshCodeDeps, sessionId: string, userId: string) {
  const id = await deps.store.get<string>(pendingKey(sessionId));
  const challenge = await readChallenge<StepUp>(deps.store, id, 'step-up', deps.now());
  return id && challenge && challenge.userId === userId ? { id, challenge } : null;
}

export async function viewFreshCode(deps: FreshCodeDeps, userId: string): Promise<FreshCodeView> {
  const sessionId = await deps.currentSessionId();
  if (!sessionId) return { freshUntil: null, pending: null };
  const [until, pending] = await Promise.all([
    getFreshCodeUntil(deps, userId),
    pendingStepUp(deps, sessionId, userId),
  ]);
  const sent = pending?.challenge.stage === 'code-sent' ? pending.challenge : null;
  const secondsLeft = Math.max(0, Math.ceil(((sent?.codeExpiresAt ?? 0) - deps.now()) / 1000));
  return { freshUntil: until, pending: sent && { to: sent.destination, secondsLeft } };
}

export type SendFreshCodeResult = SendCodeResult | { ok: false; reason: 'no-session' };

/** A code to the person's current email (read now), replacing any earlier one. */
export async function sendFreshCode(
  deps: FreshCodeDeps,
  input: { userId: string; action: SensitiveAction } & RequestInfo,
): Promise<SendFreshCodeResult> {
  const sessionId = await deps.currentSessionId();
  const email = await deps.emailOf(input.userId);
  if (!sessionId || !email) return { ok: false, reason: 'no-session' };
  const existing = await pendingStepUp(deps, sessionId, input.userId);
  // Resending keeps the challenge (and its tries) unless the email changed meanwhile.
  const { id, challenge } =
    existing && existing.challenge.destination === email
      ? existing
      : await startChallenge<StepUp>(
          deps.store,
          { purpose: 'step-up', userId: input.userId, destination: email },
          { ttlMs: PENDING_MS, now: deps.now() },
        );
  if (!existing || existing.id !== id) await deps.store.put(pendingKey(sessionId), id, PENDING_MS);
  return sendChallengeCode(deps, {
    id,
    challenge,
    channel: 'email',
    destination: email,
    compose: (message) => composeFreshCodeMessage({ ...message, action: input.action }),
    detail: { action: input.action },
    ip: input.ip,
    userAgent: input.userAgent,
  });
}

/** The code from sendFreshCode. A match makes this session fresh for the window (SE-07). */
export async function confirmFreshCode(
  deps: FreshCodeDeps,
  input: { userId: string; code: string } & RequestInfo,
): Promise<{ ok: true } | CodeRefusal> {
  const sessionId = await deps.currentSessionId();
  if (!sessionId) return { ok: false, reason: 'no-code' };
  const id = (await deps.store.get<string>(pendingKey(sessionId))) ?? undefined;
  const result = await checkChallengeCode<StepUp>(deps, {
    id,
    purpose: 'step-up',
    code: input.code,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  if (!result.ok) return toCodeRefusal(result);
  if (result.challenge.userId !== input.userId) return { ok: false, reason: 'no-code' };
  const fresh: Fresh = { userId: input.userId, at: deps.now() };
  await deps.store.put(freshKey(sessionId), fresh, deps.config.freshCodeWindowMs);
  await deps.store.delete(pendingKey(sessionId));
  await deps.audit({
    type: 'reauth.confirmed',
    userId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { channel: 'email' },
  });
  return { ok: true };
}
