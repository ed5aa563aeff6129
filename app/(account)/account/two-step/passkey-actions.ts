'use server';

import { revalidatePath } from 'next/cache';
import { redirect, unstable_rethrow } from 'next/navigation';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import {
  finishPasskeyRegistration,
  removeOwnPasskey,
  startPasskeyRegistration,
} from '@/lib/account/passkey-methods';
import type { FormState } from '@/lib/auth/form-state';
import { requireUser } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import { getAccountSecurityDeps } from '@/lib/web/wiring';

// The Passkeys section's changes. Each checks this session's fresh code in lib (a stale session
// is sent to "Confirm it's you"); the page is re-rendered with the list as it now is.

const PAGE = '/account/two-step';
const UNAVAILABLE = 'This cannot be changed right now. Nothing was changed; try again shortly.';
function confirmFirst(): never {
  redirect(`${PAGE}?fresh=required`);
}

type Who = { userId: string; username: string; ip: string | null; userAgent: string | null };
async function run<T>(what: string, work: (who: Who) => Promise<T>): Promise<T | null> {
  const user = await requireUser();
  try {
    return await work({ userId: user.id, username: user.username, ...(await getRequestInfo()) });
  } catch (error) {
    unstable_rethrow(error);
    console.error(`passkeys: ${what} failed`, error);
    return null;
  }
}

export type RegistrationOptionsState =
  { options: PublicKeyCredentialCreationOptionsJSON } | { error: string };

export async function passkeyRegistrationOptionsAction(): Promise<RegistrationOptionsState> {
  const result = await run('starting a registration', (who) =>
    startPasskeyRegistration(getAccountSecurityDeps(), who),
  );
  if (!result) return { error: UNAVAILABLE };
  if (!result.ok) confirmFirst();
  return { options: result.options };
}

export async function registerPasskeyAction(name: string, response: string): Promise<FormState> {
  const result = await run('adding a passkey', (who) =>
    finishPasskeyRegistration(getAccountSecurityDeps(), {
      ...who,
      name: String(name).slice(0, 200),
      response: String(response).slice(0, 20_000),
    }),
  );
  if (!result) return { error: UNAVAILABLE };
  if (result.ok) {
    revalidatePath(PAGE);
    return { info: `The passkey “${result.name}” was added. You can use it at your next sign-in.` };
  }
  switch (result.reason) {
    case 'not-fresh':
      return confirmFirst();
    case 'bad-name':
      return { error: 'Give the passkey a name of 1 to 60 characters.' };
    case 'no-challenge':
      return { error: 'That took too long. Try adding the passkey again.' };
    case 'already-registered':
      return { error: 'That passkey is already on an account.' };
    case 'not-verified':
      return { error: 'The passkey could not be checked. Nothing was added; try again.' };
  }
}

export async function removePasskeyAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const passkeyId = String(formData.get('passkeyId') ?? '').slice(0, 1400);
  const result = await run('removing a passkey', (who) =>
    removeOwnPasskey(getAccountSecurityDeps(), { ...who, passkeyId }),
  );
  if (!result) return { error: UNAVAILABLE };
  if (!result.ok) confirmFirst();
  revalidatePath(PAGE);
  return result.removed ? { info: 'The passkey was removed.' } : {};
}
