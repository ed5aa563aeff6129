'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { finishEnrolment } from '@/lib/auth/sign-in-enrol';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';
import { finishSignIn } from '@/lib/web/finish-sign-in';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { getRequestInfo } from '@/lib/web/request-info';
import { getSignInDeps } from '@/lib/web/wiring';

/** The new app's first code: the app is set up, and the sign-in finishes. */
export async function finishEnrolmentAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const code = String(formData.get('code') ?? '')
    .replace(/[\s-]/g, '')
    .slice(0, 20);
  const ticketId = await getTicketId();
  let result;
  try {
    result = await finishEnrolment(getSignInDeps(), {
      ticketId,
      code,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: finishing the app setup failed', error);
    return { error: UNAVAILABLE_MESSAGE };
  }
  if (result.ok && ticketId) return finishSignIn(ticketId);
  switch (result.ok ? 'no-ticket' : result.reason) {
    case 'malformed':
      return { error: 'Enter the 6-digit code your app shows.' };
    case 'mismatch':
      return {
        error:
          'That code does not match. Check that the app shows a code for Latchkey, and that this device’s clock is right.',
      };
    case 'limited':
      return { error: 'Too many wrong codes. Start the sign-in again.' };
    default:
      redirect('/login?notice=expired');
  }
}
