'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';
import { startPasskeySignIn, submitPasskey } from '@/lib/auth/sign-in-passkey';
import { finishSignIn } from '@/lib/web/finish-sign-in';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { getRequestInfo } from '@/lib/web/request-info';
import { getSignInDeps } from '@/lib/web/wiring';
import { chooseChannelAction } from '../method/actions';
import { codeRefusalState } from '../code-refusal';

/** The method page's form: a passkey needs no code sent, so its choice goes to its own page. */
export async function chooseMethodAction(prev: FormState, formData: FormData): Promise<FormState> {
  if (formData.get('channel') === 'passkey') redirect('/login/passkey');
  return chooseChannelAction(prev, formData);
}

export type PasskeyOptionsState =
  { options: PublicKeyCredentialRequestOptionsJSON } | { error: string };

/** A fresh challenge for this sign-in's passkey prompt (kept on the server under the ticket). */
export async function passkeyOptionsAction(): Promise<PasskeyOptionsState> {
  let result;
  try {
    result = await startPasskeySignIn(getSignInDeps(), await getTicketId());
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: passkey options failed', error);
    return { error: UNAVAILABLE_MESSAGE };
  }
  if (result.ok) return { options: result.options };
  if (result.reason === 'no-ticket') redirect('/login?notice=expired');
  redirect('/login/method');
}

const NOT_VERIFIED = 'That passkey did not sign you in.';

/** What the authenticator signed, as JSON; verified against the ticket's challenge. */
export async function submitPasskeyAction(response: string, trust: boolean): Promise<FormState> {
  const ticketId = await getTicketId();
  let result;
  try {
    result = await submitPasskey(getSignInDeps(), {
      ticketId,
      response: String(response).slice(0, 20_000),
      trust: trust === true,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: checking a passkey failed', error);
    return { error: UNAVAILABLE_MESSAGE };
  }
  if (result.ok && result.next === 'device-name') redirect('/login/device');
  if (result.ok && ticketId) return finishSignIn(ticketId);
  if (result.ok || result.reason === 'no-ticket') redirect('/login?notice=expired');
  if (result.reason === 'malformed') return { error: `${NOT_VERIFIED} Try again.` };
  if (result.reason === 'mismatch')
    return {
      error: `${NOT_VERIFIED} ${result.attemptsLeft} ${result.attemptsLeft === 1 ? 'try' : 'tries'} left.`,
    };
  return codeRefusalState(result);
}
