'use server';

import { cookies } from 'next/headers';
import { redirect, unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { env } from '@/lib/env';
import { submitPassword } from '@/lib/auth/sign-in';
import { getSignInDeps } from '@/lib/auth/sign-in-deps';
import { getRequestInfo } from '@/lib/auth/request-info';
import { cookieOptions, ticketCookieName } from '@/lib/auth/cookies';
import { finishSignIn } from '@/lib/auth/finish-sign-in';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';

const INVALID = 'The username or password is incorrect.';

const credentials = z.object({
  username: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(4096),
});

export async function submitPasswordAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const username = String(formData.get('username') ?? '');
  const parsed = credentials.safeParse({ username, password: formData.get('password') });
  if (!parsed.success) return { error: 'Enter your username and password.', values: { username } };

  let next: 'method' | 'session';
  let ticketId: string;
  try {
    const result = await submitPassword(getSignInDeps(), { ...parsed.data, ...(await getRequestInfo()) });
    if (!result.ok) return { error: INVALID, values: { username } };
    ({ next, ticketId } = result);
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: password step failed', error);
    return { error: UNAVAILABLE_MESSAGE, values: { username } };
  }

  const jar = await cookies();
  if (next === 'session') return finishSignIn(ticketId, { values: { username } });
  jar.set(ticketCookieName, ticketId, { ...cookieOptions, maxAge: env.LOGIN_TICKET_TTL_SECONDS });
  redirect('/login/method');
}
