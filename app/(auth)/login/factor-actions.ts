'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { submitFactorCode, type SignInFactor } from '@/lib/auth/sign-in-factor';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';
import { finishSignIn } from '@/lib/web/finish-sign-in';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { getRequestInfo } from '@/lib/web/request-info';
import { getSignInDeps } from '@/lib/web/wiring';
import { codeRefusalState } from './code-refusal';

const MALFORMED: Record<SignInFactor, string> = {
  'authenticator-app': 'Enter the 6-digit code your authenticator app shows.',
  'backup-code': 'Enter one of your backup codes, like abcde-fghjk.',
};

/** The code of a factor the person holds (bound per page: the app, or a backup code). */
export async function submitFactorAction(
  factor: unknown,
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  // The bound value comes back from the browser: only the two known factors are taken.
  const kind: SignInFactor = factor === 'backup-code' ? 'backup-code' : 'authenticator-app';
  const code = String(formData.get('code') ?? '').slice(0, 40);
  const trust = formData.get('trust') === '1';
  const ticketId = await getTicketId();
  let result;
  try {
    result = await submitFactorCode(getSignInDeps(), {
      ticketId,
      factor: kind,
      code,
      trust,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: checking a factor failed', error);
    return { error: UNAVAILABLE_MESSAGE };
  }
  if (result.ok && result.next === 'device-name') redirect('/login/device');
  if (result.ok && ticketId) return finishSignIn(ticketId);
  if (result.ok || result.reason === 'no-ticket') redirect('/login?notice=expired');
  return codeRefusalState(result, MALFORMED[kind]);
}
