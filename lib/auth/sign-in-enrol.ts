import 'server-only';
import { createHash } from 'node:crypto';
import { NAMING_TTL_MS, peekVerifiedTicket } from '@/lib/auth/login-ticket';
import type { LoginTicket, RequestInfo, SignInDeps, SignInUser } from '@/lib/auth/sign-in-types';
import { challengeKeys } from '@/lib/challenges/challenge';
import {
  confirmAppEnrolment,
  startAppEnrolment,
  viewPendingEnrolment,
  type AppSetup,
} from '@/lib/factors/authenticator-app';
import { sendNotice } from '@/lib/notices/send-notice';
import { twoStepMethodChangedNotice } from '@/lib/notices/two-step-method-changed-notice';
import { rolePolicy } from '@/lib/policy/sign-in-policy';

// The enrolment step of a sign-in. A role whose policy leaves email out (administrators, by
// default) must not sign in with an email code; an admin who has no factor the role allows yet
// proves the mailbox once, with an email code, and is then taken to set up an authenticator app
// before any session exists. It is a step of the sign-in, not a page they can skip: the session
// is made from the same ticket only after the app's first code. Decision record 0016.

/** Whether this person must set up a factor before signing in. */
export function needsEnrolment(
  deps: SignInDeps,
  user: SignInUser,
  held: { choices: unknown[]; factors: Record<string, boolean> },
): boolean {
  const emailLeftOut = !rolePolicy(deps.config.policy, user.role).methods.includes('email');
  const hasAllowed = held.choices.length > 0 || Object.values(held.factors).some(Boolean);
  // A reset's block on email codes is never lifted this way (RC-04).
  return emailLeftOut && !hasAllowed && !user.emailCodesBlocked && !!deps.senderFor('email');
}

/** After the email code: the verified ticket waits for the new app's first code. */
export async function keepForEnrolment(deps: SignInDeps, ticketId: string, ticket: LoginTicket) {
  const now = deps.now();
  const verified: LoginTicket = {
    ...ticket,
    stage: 'verified',
    method: 'code',
    enrol: true,
    trustRequested: false,
    restartOnMatch: undefined,
    expiresAt: now + NAMING_TTL_MS,
  };
  await deps.store.put(challengeKeys(ticketId).verified, verified, NAMING_TTL_MS);
}

async function enrolling(deps: SignInDeps, ticketId: string | undefined) {
  const ticket = await peekVerifiedTicket(deps.store, ticketId, deps.now());
  if (!ticket?.enrol || !ticketId) return null;
  const user = await deps.users.findById(ticket.userId);
  return user && !user.disabled ? { ticket, user } : null;
}

/** The setup to show: the QR code and key of a new app (made on first view, kept on reload). */
export async function viewEnrolment(
  deps: SignInDeps,
  ticketId: string | undefined,
): Promise<AppSetup | null> {
  const pending = await enrolling(deps, ticketId);
  if (!pending) return null;
  const { id, username } = pending.user;
  const shown = await viewPendingEnrolment(id, username);
  if (shown) return shown;
  const started = await startAppEnrolment({ userId: id, username, now: new Date(deps.now()) });
  return started.ok ? started : null;
}

/** Wrong setup codes one enrolment may take, like the tries of a code. */
const ENROL_TRIES = 10;

export type EnrolResult =
  { ok: true } | { ok: false; reason: 'no-ticket' | 'malformed' | 'mismatch' | 'limited' };

/** The app's first code: the app is now the admin's factor, and the sign-in may finish. */
export async function finishEnrolment(
  deps: SignInDeps,
  input: { ticketId: string | undefined; code: string } & RequestInfo,
): Promise<EnrolResult> {
  const pending = await enrolling(deps, input.ticketId);
  if (!pending) return { ok: false, reason: 'no-ticket' };
  const triesKey = `enrol-tries:${createHash('sha256').update(input.ticketId!).digest('base64url')}`;
  const tries = await deps.store.increment(triesKey, NAMING_TTL_MS);
  if (tries > ENROL_TRIES) return { ok: false, reason: 'limited' };
  const now = new Date(deps.now());
  const userId = pending.user.id;
  const result = await confirmAppEnrolment({ userId, code: input.code, now });
  if (!result.ok)
    return { ok: false, reason: result.reason === 'malformed' ? 'malformed' : 'mismatch' };
  // The ticket may now make its session.
  const ttl = Math.max(1, pending.ticket.expiresAt - deps.now());
  const verifiedKey = challengeKeys(input.ticketId!).verified;
  await deps.store.put(verifiedKey, { ...pending.ticket, enrol: false }, ttl);
  const who = { userId, ip: input.ip, userAgent: input.userAgent };
  const change = { method: 'authenticator-app', change: 'added', during: 'sign-in' };
  await deps.audit({ type: 'two_step.changed', ...who, detail: change });
  const message = twoStepMethodChangedNotice({
    to: pending.user.email,
    method: 'authenticator-app',
    change: 'added',
    at: now,
    origin: deps.config.origin,
  });
  deps.defer(
    async () => void (await sendNotice(deps, { message, kind: 'two-step-method-changed', ...who })),
  );
  return { ok: true };
}
