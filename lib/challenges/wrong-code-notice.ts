import type { RequestInfo } from '@/lib/audit/request-info';
import { sendNotice } from '@/lib/notices/send-notice';
import { wrongCodesNotice } from '@/lib/notices/wrong-codes-notice';
import type { ChallengeDeps } from './challenge-deps';

// The owner hears of wrong codes entered for their account (OTP-13), whatever the codes were for
// (sign-in, confirming it's them, a new address) and however they were spread over sign-ins: the
// count is the account's over a rolling day, which neither a new sign-in, a resend nor a correct
// code resets. Told at the 3rd and then every 10th, so a guesser cannot stay under the line and
// a mistyping owner is not flooded.

export const WRONG_CODE_WINDOW_MS = 24 * 60 * 60 * 1000;
const FIRST_NOTICE_AT = 3;
const THEN_EVERY = 10;

export function isWrongCodeNoticeDue(wrongCodes: number): boolean {
  return wrongCodes === FIRST_NOTICE_AT || (wrongCodes > 0 && wrongCodes % THEN_EVERY === 0);
}

/** Emails the owner when `wrongCodes` reached a notice point. Best effort: a failure is audited. */
export async function tellOwnerOfWrongCodes(
  deps: Pick<ChallengeDeps, 'emailOf' | 'senderFor' | 'audit' | 'config' | 'now'>,
  input: { userId: string; wrongCodes: number } & RequestInfo,
): Promise<void> {
  if (!isWrongCodeNoticeDue(input.wrongCodes)) return;
  const to = await deps.emailOf(input.userId);
  if (!to) return;
  const who = { userId: input.userId, ip: input.ip, userAgent: input.userAgent };
  const message = wrongCodesNotice({
    to,
    wrongCodes: input.wrongCodes,
    at: new Date(deps.now()),
    ip: input.ip,
    origin: deps.config.origin,
  });
  const outcome = await sendNotice(deps, { message, kind: 'wrong-codes', ...who });
  if (outcome.sent)
    await deps.audit({
      type: 'code.failures_notified',
      ...who,
      detail: { wrongCodes: input.wrongCodes },
    });
}
