'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { requireAdmin, requireUser } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { confirmFreshCode, sendFreshCode } from '@/lib/auth/fresh-code';
import type { FormState } from '@/lib/auth/form-state';
import {
  codeRefusal,
  freshCodeTarget,
  sendRefusal,
  type FreshCodeTarget,
} from './fresh-code-wording';

// "Confirm it's you" (SE-07, TD-10): a code to the current email, then the code. Bound to the
// page that asked (`sendFreshCodeAction.bind(null, 'password')`, or `admin-user:<id>` for the
// admin's user page); a bound value only goes through freshCodeTarget, so a tampered one goes
// nowhere else. The code is always the signed-in person's own; admin pages need the admin role.

const UNAVAILABLE = 'This cannot be done right now. Nothing was changed; try again shortly.';

/** The page's address with its `?fresh=` word (the upload page's address has a query already). */
const withFresh = (path: string, word: 'sent' | 'confirmed') =>
  `${path}${path.includes('?') ? '&' : '?'}fresh=${word}`;

async function personFor(target: ReturnType<typeof freshCodeTarget>) {
  return target.action === 'admin' ? requireAdmin() : requireUser();
}

export async function sendFreshCodeAction(page: FreshCodeTarget): Promise<FormState> {
  const target = freshCodeTarget(page);
  const user = await personFor(target);
  let result;
  try {
    result = await sendFreshCode(getAccountSecurityDeps(), {
      userId: user.id,
      action: target.action,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('fresh code: sending failed', error);
    return { error: UNAVAILABLE };
  }
  if (!result.ok) return { error: sendRefusal(result) };
  redirect(withFresh(target.path, 'sent'));
}

export async function confirmFreshCodeAction(
  page: FreshCodeTarget,
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const target = freshCodeTarget(page);
  const user = await personFor(target);
  const code = String(formData.get('code') ?? '')
    .replace(/[\s-]/g, '')
    .slice(0, 20);
  let result;
  try {
    result = await confirmFreshCode(getAccountSecurityDeps(), {
      userId: user.id,
      code,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('fresh code: checking failed', error);
    return { error: UNAVAILABLE };
  }
  if (!result.ok) return { error: codeRefusal(result) };
  redirect(withFresh(target.path, 'confirmed'));
}
