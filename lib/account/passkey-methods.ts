import 'server-only';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { RequestInfo } from '@/lib/audit/request-info';
import { getFreshCodeUntil, type FreshCodeDeps } from '@/lib/auth/fresh-code';
import {
  passkeyRegistrationOptions,
  registerPasskey,
  relyingPartyFor,
  removePasskey,
  type PasskeyDeps,
  type RegisterPasskeyResult,
} from '@/lib/factors/passkeys';
import { sendNotice } from '@/lib/notices/send-notice';
import { twoStepMethodChangedNotice } from '@/lib/notices/two-step-method-changed-notice';

// Adding and removing the person's passkeys (the "Two-step sign-in" page). As for the other
// methods (two-step-methods.ts): only with a code entered in this session recently (SE-07), each
// change audited and announced to the account's email (RC-05). The registration's challenge is
// kept under this session, so another session cannot finish it.

export type NotFresh = { ok: false; reason: 'not-fresh' };
const NOT_FRESH: NotFresh = { ok: false, reason: 'not-fresh' };
type Who = { userId: string } & RequestInfo;

const passkeyDeps = (deps: FreshCodeDeps): PasskeyDeps => ({
  store: deps.store,
  now: deps.now,
  rp: relyingPartyFor(deps.config.origin),
});

/** This session's id when it may change methods now; null otherwise. */
async function freshSession(deps: FreshCodeDeps, userId: string) {
  const sessionId = await deps.currentSessionId();
  if (!sessionId || (await getFreshCodeUntil(deps, userId)) === null) return null;
  return sessionId;
}

async function announce(deps: FreshCodeDeps, who: Who, change: 'added' | 'removed') {
  const actor = { userId: who.userId, ip: who.ip, userAgent: who.userAgent };
  await deps.audit({ type: 'two_step.changed', ...actor, detail: { method: 'passkey', change } });
  const to = await deps.emailOf(who.userId);
  if (!to) return;
  const message = twoStepMethodChangedNotice({
    to,
    method: 'passkey',
    change,
    at: new Date(deps.now()),
    origin: deps.config.origin,
  });
  await sendNotice(deps, { message, kind: 'two-step-method-changed', ...actor });
}

/** Adding, step 1: options for the browser, with a challenge kept under this session. */
export async function startPasskeyRegistration(
  deps: FreshCodeDeps,
  who: Who & { username: string },
): Promise<{ ok: true; options: PublicKeyCredentialCreationOptionsJSON } | NotFresh> {
  const sessionId = await freshSession(deps, who.userId);
  if (!sessionId) return NOT_FRESH;
  const options = await passkeyRegistrationOptions(passkeyDeps(deps), {
    userId: who.userId,
    username: who.username,
    sessionId,
  });
  return { ok: true, options };
}

/** Adding, step 2: the browser's new credential, checked against that challenge, and its name. */
export async function finishPasskeyRegistration(
  deps: FreshCodeDeps,
  who: Who & { name: unknown; response: string },
): Promise<RegisterPasskeyResult | NotFresh> {
  const sessionId = await freshSession(deps, who.userId);
  if (!sessionId) return NOT_FRESH;
  const result = await registerPasskey(passkeyDeps(deps), {
    userId: who.userId,
    sessionId,
    name: who.name,
    response: who.response,
  });
  if (result.ok) await announce(deps, who, 'added');
  return result;
}

export async function removeOwnPasskey(
  deps: FreshCodeDeps,
  who: Who & { passkeyId: string },
): Promise<{ ok: true; removed: boolean } | NotFresh> {
  if (!(await freshSession(deps, who.userId))) return NOT_FRESH;
  const removed = await removePasskey({ userId: who.userId, id: who.passkeyId });
  if (removed) await announce(deps, who, 'removed');
  return { ok: true, removed };
}
