import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { AuthError } from 'next-auth';
import { signIn } from '@/lib/web/auth';
import { expiredCookie, ticketCookieName } from '@/lib/auth/cookies';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';

export const EXPIRED_MESSAGE = 'Your sign-in has expired. Start again.';

/**
 * Turns a verified ticket into a session through Auth.js (its session cookie is set on this
 * request's response) and forgets the ticket cookie. Returns null on success, or the message to
 * show: the sign-in expired, or the session could not be made.
 */
export async function startSession(ticketId: string): Promise<string | null> {
  const jar = await cookies();
  if (jar.has(ticketCookieName)) jar.set(ticketCookieName, '', expiredCookie);
  try {
    await signIn('ticket', { ticket: ticketId, redirect: false });
    return null;
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (error.type === 'CredentialsSignin') return EXPIRED_MESSAGE;
    console.error('sign-in: session could not be created', error);
    return UNAVAILABLE_MESSAGE;
  }
}

/** For a server action: the session, then the account page; or the form's state with the message. */
export async function finishSignIn(ticketId: string, state: FormState = {}): Promise<FormState> {
  const refusal = await startSession(ticketId);
  if (refusal) return { ...state, error: refusal };
  redirect('/account');
}
