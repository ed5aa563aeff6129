'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { requireUser } from '@/lib/auth/current-user';
import { getRequestInfo } from '@/lib/auth/request-info';
import { getAccountSecurityDeps } from '@/lib/auth/account-security-deps';
import { confirmFreshCode, sendFreshCode } from '@/lib/auth/fresh-code';
import type { FormState } from '@/lib/auth/form-state';
import { codeRefusal, freshCodePages, sendRefusal, type FreshCodePage } from './fresh-code-wording';

// "Confirm it's you" (SE-07, TD-10): a code to the current email, then the code. Bound to the
// page that asked (`sendFreshCodeAction.bind(null, 'password')`); a bound value is only ever
// looked up in freshCodePages, so a tampered one goes nowhere.

const UNAVAILABLE = 'This cannot be done right now. Nothing was changed; try again shortly.';
const pageOf = (page: FreshCodePage) => (Object.hasOwn(freshCodePages, page) ? freshCodePages[page] : freshCodePages.password);

export async function sendFreshCodeAction(page: FreshCodePage): Promise<FormState> {
  const target = pageOf(page);
  const user = await requireUser();
  let result;
  try {
    result = await sendFreshCode(getAccountSecurityDeps(), { userId: user.id, action: target.action, ...(await getRequestInfo()) });
  } catch (error) {
    unstable_rethrow(error);
    console.error('fresh code: sending failed', error);
    return { error: UNAVAILABLE };
  }
  if (!result.ok) return { error: sendRefusal(result) };
  redirect(`${target.path}?fresh=sent`);
}

export async function confirmFreshCodeAction(page: FreshCodePage, _prev: FormState, formData: FormData): Promise<FormState> {
  const target = pageOf(page);
  const user = await requireUser();
  const code = String(formData.get('code') ?? '').replace(/[\s-]/g, '').slice(0, 20);
  let result;
  try {
    result = await confirmFreshCode(getAccountSecurityDeps(), { userId: user.id, code, ...(await getRequestInfo()) });
  } catch (error) {
    unstable_rethrow(error);
    console.error('fresh code: checking failed', error);
    return { error: UNAVAILABLE };
  }
  if (!result.ok) return { error: codeRefusal(result) };
  redirect(`${target.path}?fresh=confirmed`);
}
