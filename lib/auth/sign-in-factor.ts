import { handOver, NAMING_TTL_MS } from '@/lib/auth/login-ticket';
import type { SubmitCodeResult } from '@/lib/auth/sign-in-code';
import type { LoginTicket, RequestInfo, SignInDeps, SignInMethod } from '@/lib/auth/sign-in-types';
import { checkChallengeFactor, type FactorVerdict } from '@/lib/challenges/check-factor';
import { toCodeRefusal, type CheckCodeResult } from '@/lib/challenges/check-code';
import { isWellFormedCode } from '@/lib/challenges/code';
import { isWellFormedBackupCode } from '@/lib/factors/backup-codes';
import { backupCodeUsedNotice } from '@/lib/notices/backup-code-used-notice';
import { sendNotice } from '@/lib/notices/send-notice';
import { methodAllowed } from '@/lib/policy/sign-in-policy';

// Step 3 with a factor the person holds instead of a code we send: the authenticator app's code,
// or one of their backup codes. Same ticket, same tries and wrong-code accounting as a sent code
// (lib/challenges/check-factor.ts); the factor decides match or mismatch and keeps its own single
// use (a TOTP step is never accepted twice; a backup code is used up).

export type SignInFactor = 'authenticator-app' | 'backup-code';

/** What the method page offers beside the channels: the person's own factors. */
export async function factorChoices(deps: SignInDeps, userId: string) {
  const [passkey, app, backupCodesLeft] = await Promise.all([
    deps.factors.hasPasskey(userId),
    deps.factors.hasApp(userId),
    deps.factors.backupCodesLeft(userId),
  ]);
  return { passkey, app, backupCodes: backupCodesLeft > 0 };
}

export async function submitFactorCode(
  deps: SignInDeps,
  input: {
    ticketId: string | undefined;
    factor: SignInFactor;
    code: string;
    trust?: boolean;
  } & RequestInfo,
): Promise<SubmitCodeResult> {
  const trust = !!input.trust;
  const typed = input.code.replace(/[\s-]/g, '');
  const now = new Date(deps.now());
  let backupCodesLeft: number | null = null;

  async function verify(userId: string): Promise<FactorVerdict> {
    // A factor the role may not use is no way in, whatever was typed.
    const user = await deps.users.findById(userId);
    if (!user || !methodAllowed(deps.config.policy, user, input.factor)) return 'mismatch';
    if (input.factor === 'authenticator-app') {
      const verdict = await deps.factors.verifyAppCode({ userId, code: typed, now });
      // A replayed code is a wrong code to whoever typed it.
      return verdict === 'match' ? 'match' : 'mismatch';
    }
    const used = await deps.factors.spendBackupCode({ userId, code: input.code, now });
    if (!used.ok) return 'mismatch';
    backupCodesLeft = used.left;
    return 'match';
  }

  const method: SignInMethod = input.factor;
  const result = await checkChallengeFactor<LoginTicket>(deps, {
    id: input.ticketId,
    purpose: 'sign-in',
    factor: input.factor,
    wellFormed:
      input.factor === 'authenticator-app'
        ? isWellFormedCode(typed)
        : isWellFormedBackupCode(input.code),
    verify,
    verifiedTtlMs: trust ? NAMING_TTL_MS : null,
    verified: { method, trustRequested: trust },
    ip: input.ip,
    userAgent: input.userAgent,
  });
  const answer = factorAnswer(deps, input.ticketId, result, method, trust);
  if (!result.ok) return answer;
  const userId = result.challenge.userId;
  if (backupCodesLeft !== null) {
    const left: number = backupCodesLeft;
    const who = { userId, ip: input.ip, userAgent: input.userAgent };
    await deps.audit({ type: 'backup_code.used', ...who, detail: { left } });
    // The owner hears of every backup code used: it is how a stolen set would show (RC-05).
    deps.defer(async () => {
      const to = await deps.emailOf(userId);
      if (!to) return;
      const message = backupCodeUsedNotice({
        to,
        left,
        at: now,
        ip: input.ip,
        origin: deps.config.origin,
      });
      await sendNotice(deps, { message, kind: 'backup-code-used', ...who });
    });
  }
  return answer;
}

/**
 * What a factor's check means for the sign-in: a refusal in the code step's terms, or a proven
 * sign-in, handed in-process to completeSignIn unless the device-name step comes first.
 */
export function factorAnswer(
  deps: SignInDeps,
  ticketId: string | undefined,
  result: CheckCodeResult<LoginTicket>,
  method: SignInMethod,
  trust: boolean,
): SubmitCodeResult {
  if (!result.ok)
    return result.reason === 'no-challenge'
      ? { ok: false, reason: 'no-ticket' }
      : toCodeRefusal(result);
  if (!trust)
    handOver(ticketId!, { userId: result.challenge.userId, method, events: [] }, deps.now());
  return { ok: true, next: trust ? 'device-name' : 'session' };
}
