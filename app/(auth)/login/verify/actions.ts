'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { submitCode } from '@/lib/auth/sign-in-code';
import { getSignInDeps } from '@/lib/web/wiring';
import { getRequestInfo } from '@/lib/web/request-info';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { finishSignIn } from '@/lib/web/finish-sign-in';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';
import { codeRefusalState } from '../code-refusal';

export async function verifyCodeAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const code = String(formData.get('code') ?? '').replace(/[\s-]/g, '');
  const trust = formData.get('trust') === '1';
  const ticketId = await getTicketId();
  let result;
  try {
    result = await submitCode(getSignInDeps(), {
      ticketId,
      code,
      trust,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: checking a code failed', error);
    return { error: UNAVAILABLE_MESSAGE };
  }
  if (result.ok && result.next === 'device-name') redirect('/login/device');
  if (result.ok && result.next === 'enrol') redirect('/login/enrol');
  if (result.ok && ticketId) return finishSignIn(ticketId);
  if (result.ok) redirect('/login?notice=expired');

  if (result.reason === 'no-ticket') redirect('/login?notice=expired');
  return codeRefusalState(result);
}
