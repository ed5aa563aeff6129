import 'server-only';
import { cookies } from 'next/headers';
import { AuthError } from 'next-auth';
import { signIn } from '@/lib/web/auth';
import { ticketCookieName } from '@/lib/auth/cookies';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';

/**
 * Turns a verified ticket into a session through Auth.js and lands on the account page. Only
 * AuthError is caught: signIn ends by throwing a redirect, which must propagate.
 */
export async function finishSignIn(ticketId: string, state: FormState = {}): Promise<FormState> {
  const jar = await cookies();
  jar.delete(ticketCookieName);
  try {
    await signIn('ticket', { ticket: ticketId, redirectTo: '/account' });
  } catch (error) {
    if (error instanceof AuthError) {
      if (error.type === 'CredentialsSignin')
        return { ...state, error: 'Your sign-in has expired. Start again.' };
      console.error('sign-in: session could not be created', error);
      return { ...state, error: UNAVAILABLE_MESSAGE };
    }
    throw error;
  }
  return state;
}
