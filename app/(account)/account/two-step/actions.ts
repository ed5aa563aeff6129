'use server';

import { revalidatePath } from 'next/cache';
import { redirect, unstable_rethrow } from 'next/navigation';
import {
  finishAppSetup,
  newBackupCodes,
  removeAuthenticatorApp,
  startAppSetup,
} from '@/lib/account/two-step-methods';
import type { FormState } from '@/lib/auth/form-state';
import { requireUser } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import type { TwoStepNotice } from './two-step-notices';

// The Two-step sign-in page's changes. Each finds the signed-in person, calls one lib function
// (which checks this session's fresh code) and redirects with a fixed notice or returns a message.

const PAGE = '/account/two-step';
const UNAVAILABLE = 'This cannot be changed right now. Nothing was changed; try again shortly.';
function go(notice: TwoStepNotice): never {
  redirect(`${PAGE}?notice=${notice}`);
}
function confirmFirst(): never {
  redirect(`${PAGE}?fresh=required`);
}

async function run<T>(what: string, work: (who: Who) => Promise<T>): Promise<T | null> {
  const user = await requireUser();
  try {
    return await work({ userId: user.id, username: user.username, ...(await getRequestInfo()) });
  } catch (error) {
    unstable_rethrow(error);
    console.error(`two-step: ${what} failed`, error);
    return null;
  }
}
type Who = { userId: string; username: string; ip: string | null; userAgent: string | null };

export async function startAppSetupAction(): Promise<FormState> {
  const result = await run('starting app setup', (who) =>
    startAppSetup(getAccountSecurityDeps(), who),
  );
  if (!result) return { error: UNAVAILABLE };
  if (result.ok) go('scan');
  if (result.reason === 'not-fresh') confirmFirst();
  return { error: 'An authenticator app is already set up. Remove it first to set up another.' };
}

export async function finishAppSetupAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const code = String(formData.get('code') ?? '')
    .replace(/[\s-]/g, '')
    .slice(0, 20);
  const result = await run('finishing app setup', (who) =>
    finishAppSetup(getAccountSecurityDeps(), { ...who, code }),
  );
  if (!result) return { error: UNAVAILABLE };
  if (result.ok) go('app-added');
  switch (result.reason) {
    case 'not-fresh':
      return confirmFirst();
    case 'no-enrolment':
      return go('setup-expired');
    case 'malformed':
      return { error: 'Enter the 6-digit code your app shows.' };
    case 'mismatch':
      return {
        error:
          'That code does not match. Check that the app shows a code for Latchkey, and that this device’s clock is right.',
      };
  }
}

export async function removeAppAction(): Promise<FormState> {
  const result = await run('removing the app', (who) =>
    removeAuthenticatorApp(getAccountSecurityDeps(), who),
  );
  if (!result) return { error: UNAVAILABLE };
  if (!result.ok) confirmFirst();
  return go('app-removed');
}

export type BackupCodesState = FormState & { codes?: string[] };

export async function newBackupCodesAction(): Promise<BackupCodesState> {
  const result = await run('making backup codes', (who) =>
    newBackupCodes(getAccountSecurityDeps(), who),
  );
  if (!result) return { error: UNAVAILABLE };
  if (!result.ok) return confirmFirst();
  // The page's count follows; the codes themselves are shown once, from this answer only.
  revalidatePath(PAGE);
  return { codes: result.codes };
}
