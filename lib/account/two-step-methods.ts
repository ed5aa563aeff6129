import 'server-only';
import type { RequestInfo } from '@/lib/audit/request-info';
import { getFreshCodeUntil, type FreshCodeDeps } from '@/lib/auth/fresh-code';
import {
  confirmAppEnrolment,
  getAppStatus,
  removeApp,
  startAppEnrolment,
} from '@/lib/factors/authenticator-app';
import { countBackupCodesLeft, generateBackupCodes } from '@/lib/factors/backup-codes';
import { sendNotice } from '@/lib/notices/send-notice';
import { twoStepMethodChangedNotice } from '@/lib/notices/two-step-method-changed-notice';

// The person's own two-step sign-in methods (the "Two-step sign-in" page). Every change needs a
// code entered in this session recently (SE-07, as for a password change), is audited, and is
// announced to the account's email (RC-05): whoever adds a factor to someone else's account
// must not do it silently.

type Method = 'authenticator-app' | 'backup-codes';
type Change = 'added' | 'removed' | 'regenerated';
export type NotFresh = { ok: false; reason: 'not-fresh' };
const NOT_FRESH: NotFresh = { ok: false, reason: 'not-fresh' };

type Who = { userId: string } & RequestInfo;

async function isFresh(deps: FreshCodeDeps, userId: string) {
  return (await getFreshCodeUntil(deps, userId)) !== null;
}

async function announce(deps: FreshCodeDeps, who: Who, method: Method, change: Change) {
  const actor = { userId: who.userId, ip: who.ip, userAgent: who.userAgent };
  await deps.audit({ type: 'two_step.changed', ...actor, detail: { method, change } });
  const to = await deps.emailOf(who.userId);
  if (!to) return;
  const at = new Date(deps.now());
  const message = twoStepMethodChangedNotice({
    to,
    method,
    change,
    at,
    origin: deps.config.origin,
  });
  await sendNotice(deps, { message, kind: 'two-step-method-changed', ...actor });
}

/** Setup, step 1: a new secret to scan; the app counts only after step 2. */
export async function startAppSetup(deps: FreshCodeDeps, who: Who & { username: string }) {
  if (!(await isFresh(deps, who.userId))) return NOT_FRESH;
  return startAppEnrolment({
    userId: who.userId,
    username: who.username,
    now: new Date(deps.now()),
  });
}

/** Setup, step 2: a valid code from the app makes it a way in. */
export async function finishAppSetup(deps: FreshCodeDeps, who: Who & { code: string }) {
  if (!(await isFresh(deps, who.userId))) return NOT_FRESH;
  const result = await confirmAppEnrolment({
    userId: who.userId,
    code: who.code,
    now: new Date(deps.now()),
  });
  if (result.ok) await announce(deps, who, 'authenticator-app', 'added');
  return result;
}

export async function removeAuthenticatorApp(deps: FreshCodeDeps, who: Who) {
  if (!(await isFresh(deps, who.userId))) return NOT_FRESH;
  // An unfinished setup goes quietly; a working app going is news to the owner.
  const wasInUse = (await getAppStatus(who.userId)) !== null;
  const removed = await removeApp(who.userId);
  if (removed && wasInUse) await announce(deps, who, 'authenticator-app', 'removed');
  return { ok: true as const, removed };
}

/** Ten new backup codes, shown once; any earlier set stops working. */
export async function newBackupCodes(
  deps: FreshCodeDeps,
  who: Who,
): Promise<{ ok: true; codes: string[] } | NotFresh> {
  if (!(await isFresh(deps, who.userId))) return NOT_FRESH;
  const had = (await countBackupCodesLeft(who.userId)) > 0;
  const codes = await generateBackupCodes({ userId: who.userId, now: new Date(deps.now()) });
  await announce(deps, who, 'backup-codes', had ? 'regenerated' : 'added');
  return { ok: true, codes };
}
