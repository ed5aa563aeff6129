'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { requireUser } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import type { FormState } from '@/lib/auth/form-state';
import {
  cancelContactChange,
  confirmContactChange,
  confirmIdentity,
  requestContactChange,
  resendContactChangeCode,
  sendIdentityCode,
  type ContactKind,
  type SendResult,
} from '@/lib/account/contact-change';
import { getContactChangeDeps } from '@/lib/web/wiring';
import { codeRefusal, codeSendRefusal } from '../_fresh-code/fresh-code-wording';
import type { ProfileNotice } from './profile-notices';

// The profile's contact change (lib/users/contact-change.ts). Each action finds the signed-in
// person itself (requireUser), calls one lib function, and either redirects to the next step
// with a fixed notice or returns a message for the form it came from.

const PAGE = '/account/profile';
const UNAVAILABLE =
  'Your details cannot be changed right now. Nothing was changed; try again shortly.';
function go(notice: ProfileNotice): never {
  redirect(`${PAGE}?notice=${notice}`);
}

async function run<T>(
  what: string,
  work: (userId: string) => Promise<T>,
): Promise<T | { failed: true }> {
  const user = await requireUser();
  try {
    return await work(user.id);
  } catch (error) {
    unstable_rethrow(error);
    console.error(`profile: ${what} failed`, error);
    return { failed: true };
  }
}

const failed = (result: object): result is { failed: true } => 'failed' in result;
const codeFrom = (formData: FormData) =>
  String(formData.get('code') ?? '')
    .replace(/[\s-]/g, '')
    .slice(0, 20);

function sendMessage(
  result: Exclude<SendResult, { ok: true }>,
  destination: 'email' | 'phone' | 'new',
): string {
  if (result.reason === 'no-session') return 'Sign in again to continue.';
  return codeSendRefusal(result, {
    unavailable:
      destination === 'phone'
        ? 'Text messages cannot be sent right now, so a new phone number cannot be confirmed. Try again later.'
        : 'Emails cannot be sent right now. Try again later.',
    failed: `The code could not be sent. Check the ${{ email: 'address', phone: 'number', new: 'address or number' }[destination]} and try again.`,
  });
}

export async function sendIdentityCodeAction(): Promise<FormState> {
  const info = await getRequestInfo();
  const result = await run('sending a code to the current email', (userId) =>
    sendIdentityCode(getContactChangeDeps(), { userId, ...info }),
  );
  if (failed(result)) return { error: UNAVAILABLE };
  if (result.ok) go('identity-sent');
  return { error: sendMessage(result, 'email') };
}

export async function confirmIdentityAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const info = await getRequestInfo();
  const result = await run('checking a code', (userId) =>
    confirmIdentity(getContactChangeDeps(), { userId, code: codeFrom(formData), ...info }),
  );
  if (failed(result)) return { error: UNAVAILABLE };
  if (result.ok) go('confirmed');
  return { error: codeRefusal(result) };
}

export async function requestChangeAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const kind: ContactKind = formData.get('kind') === 'phone' ? 'phone' : 'email';
  const value = String(formData.get('value') ?? '').slice(0, 300);
  const values = { value };
  const info = await getRequestInfo();
  const result = await run('starting a contact change', (userId) =>
    requestContactChange(getContactChangeDeps(), { userId, kind, value, ...info }),
  );
  if (failed(result)) return { error: UNAVAILABLE, values };
  if (result.ok) go('change-sent');
  if (result.reason === 'not-recent') go('confirm-first');
  if (result.reason === 'invalid') return { error: result.error, values };
  return { error: sendMessage(result, kind), values };
}

export async function resendChangeCodeAction(): Promise<FormState> {
  const info = await getRequestInfo();
  const result = await run('resending a contact code', (userId) =>
    resendContactChangeCode(getContactChangeDeps(), { userId, ...info }),
  );
  if (failed(result)) return { error: UNAVAILABLE };
  if (result.ok) go('resent');
  if (result.reason === 'no-change') go('change-expired');
  return { error: sendMessage(result, 'new') };
}

export async function confirmChangeAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const info = await getRequestInfo();
  const result = await run('confirming a contact change', (userId) =>
    confirmContactChange(getContactChangeDeps(), { userId, code: codeFrom(formData), ...info }),
  );
  if (failed(result)) return { error: UNAVAILABLE };
  if (result.ok) go(result.kind === 'email' ? 'email-changed' : 'phone-changed');
  if (result.reason === 'no-change') go('change-expired');
  if (result.reason === 'already-used') go('already-used');
  return { error: codeRefusal(result) };
}

export async function cancelChangeAction(): Promise<FormState> {
  const result = await run('cancelling a contact change', (userId) =>
    cancelContactChange(getContactChangeDeps(), userId),
  );
  if (result && failed(result)) return { error: UNAVAILABLE };
  go('cancelled');
  return {};
}
