'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { sendCode } from '@/lib/auth/sign-in-code';
import { getSignInDeps } from '@/lib/web/wiring';
import { getRequestInfo } from '@/lib/web/request-info';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';
import { tooManyAttemptsMessage } from '@/lib/rate-limit/too-many-attempts';
import { channelInSentence, channelLabels } from '../channel-labels';

const choice = z.object({ channel: z.enum(['authenticator-app', 'email', 'sms', 'voice']) });

/** Sends a code by the chosen channel; used by the method page and by "Resend code". */
export async function chooseChannelAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const parsed = choice.safeParse({ channel: formData.get('channel') });
  if (!parsed.success) return { error: 'Choose where to send the code.' };
  // The app's code is not sent: its page asks for it.
  if (parsed.data.channel === 'authenticator-app') redirect('/login/app');
  const channel = parsed.data.channel;
  const resend = formData.get('resend') === '1';

  let result;
  try {
    result = await sendCode(getSignInDeps(), {
      ticketId: await getTicketId(),
      channel,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: sending a code failed', error);
    return { error: UNAVAILABLE_MESSAGE, values: { channel } };
  }
  if (result.ok) redirect(resend ? '/login/verify?resent=1' : '/login/verify');

  switch (result.reason) {
    case 'no-ticket':
      redirect('/login?notice=expired');
    case 'cooldown':
      return {
        error: `Wait ${result.retryAfterSeconds} seconds before asking for another code.`,
        values: { channel },
      };
    case 'locked':
      return {
        error:
          'Too many wrong codes for this account. Try again later or contact your administrator.',
      };
    case 'limited':
      return { error: tooManyAttemptsMessage(result.retryAfterSeconds), values: { channel } };
    case 'channel-unavailable':
      // Also when SMS is switched off, its country is not allowed or the day's budget is spent.
      return {
        error: `${channelLabels[channel]} is not available for this account right now. Choose another method.`,
      };
    case 'delivery-failed':
      return {
        error: `We could not send the code by ${channelInSentence[channel]}. ${result.retryable ? 'Try again, or choose another method.' : 'Choose another method.'}`,
        values: { channel },
      };
  }
}
