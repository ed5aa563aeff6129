'use server';

import { cookies } from 'next/headers';
import { redirect, unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { env } from '@/lib/env';
import { submitPassword } from '@/lib/auth/sign-in';
import { getSignInDeps } from '@/lib/web/wiring';
import { getRequestInfo } from '@/lib/web/request-info';
import { cookieOptions, ticketCookieName } from '@/lib/auth/cookies';
import { finishSignIn } from '@/lib/web/finish-sign-in';
import { getDeviceToken, setDeviceToken } from '@/lib/web/device-cookie';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';
import { tooManyAttemptsMessage } from '@/lib/rate-limit/too-many-attempts';
import { isGateFullError, signInGate } from '@/lib/auth/sign-in-gate';

const INVALID = 'The username or password is incorrect.';
const BUSY =
  'Too many people are signing in right now. Nothing was checked: wait a second and try again.';

const credentials = z.object({
  username: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(4096),
});

/**
 * The password step, through the instance's sign-in gate (P5): when as many steps are running and
 * waiting as it holds, the answer comes at once, before anything is checked or counted.
 */
export async function submitPasswordAction(
  prev: FormState,
  formData: FormData,
): Promise<FormState> {
  try {
    return await signInGate(env.SIGN_IN_CONCURRENCY, env.SIGN_IN_QUEUE_WAIT_MS).run(() =>
      passwordStep(prev, formData),
    );
  } catch (error) {
    if (!isGateFullError(error)) throw error;
    return { error: BUSY, values: { username: String(formData.get('username') ?? '') } };
  }
}

async function passwordStep(_prev: FormState, formData: FormData): Promise<FormState> {
  const username = String(formData.get('username') ?? '');
  const parsed = credentials.safeParse({ username, password: formData.get('password') });
  if (!parsed.success) return { error: 'Enter your username and password.', values: { username } };

  let result;
  try {
    result = await submitPassword(getSignInDeps(), {
      ...parsed.data,
      deviceToken: await getDeviceToken(),
      ...(await getRequestInfo()),
    });
    // A locked account gets INVALID too (BF-01); a limit names only when to try again (BF-04).
    if (!result.ok)
      return {
        error:
          result.reason === 'limited' ? tooManyAttemptsMessage(result.retryAfterSeconds) : INVALID,
        values: { username },
      };
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: password step failed', error);
    return { error: UNAVAILABLE_MESSAGE, values: { username } };
  }

  // The rotated device token replaces the old one at once (TD-04).
  if (result.device) await setDeviceToken(result.device.token, result.device.expiresAt);
  if (result.next === 'session') return finishSignIn(result.ticketId, { values: { username } });
  (await cookies()).set(ticketCookieName, result.ticketId, {
    ...cookieOptions,
    maxAge: env.LOGIN_TICKET_TTL_SECONDS,
  });
  redirect('/login/method');
}
