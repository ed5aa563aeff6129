'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { submitCode } from '@/lib/auth/sign-in-code';
import { getSignInDeps } from '@/lib/web/wiring';
import { getRequestInfo } from '@/lib/web/request-info';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { finishSignIn } from '@/lib/web/finish-sign-in';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';
import { tooManyAttemptsMessage } from '@/lib/rate-limit/too-many-attempts';

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
  if (result.ok && ticketId) return finishSignIn(ticketId);
  if (result.ok) redirect('/login?notice=expired');

  switch (result.reason) {
    case 'no-ticket':
      redirect('/login?notice=expired');
    case 'malformed':
      return { error: 'Enter the 6-digit security code.' };
    case 'mismatch':
      return {
        error: `That code is not right. ${result.attemptsLeft} ${result.attemptsLeft === 1 ? 'try' : 'tries'} left.`,
      };
    case 'burnt':
      return {
        error: 'Too many wrong tries: that code no longer works. Send a new code.',
        info: 'resend',
      };
    case 'expired':
      return { error: 'That code has expired. Send a new code.', info: 'resend' };
    case 'no-code':
      return { error: 'There is no code to check. Send a new code.', info: 'resend' };
    case 'locked':
      return {
        error:
          'Too many wrong codes for this account. Try again later or contact your administrator.',
      };
    case 'limited':
      return { error: tooManyAttemptsMessage(result.retryAfterSeconds) };
  }
}
