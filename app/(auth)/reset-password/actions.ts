'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { getRequestInfo } from '@/lib/web/request-info';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { resetPassword } from '@/lib/auth/password-reset';
import type { FormState } from '@/lib/auth/form-state';
import { clearDeviceToken } from '@/lib/web/device-cookie';

const INVALID =
  'This link does not work any more: it may have expired, been used already, or been replaced by a newer one. Ask for a new link.';

/**
 * Sets the new password and sends the person to sign in (RC-03): the reset creates no session,
 * ends every existing one and every trusted device, so the next sign-in asks for a code.
 */
export async function resetPasswordAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const token = String(formData.get('token') ?? '');
  const password = String(formData.get('password') ?? '');
  const confirm = String(formData.get('confirm') ?? '');
  if (!password) return { error: 'Enter a new password.' };
  if (password !== confirm)
    return { error: 'The two passwords are not the same. Type the same password twice.' };
  if (password.length > 8192) return { error: 'Use at most 1024 characters.' };
  try {
    const result = await resetPassword(getAccountSecurityDeps(), {
      token,
      password,
      ...(await getRequestInfo()),
    });
    if (!result.ok) return { error: result.reason === 'weak' ? result.message : INVALID };
  } catch (error) {
    unstable_rethrow(error);
    console.error('password reset failed', error);
    return {
      error: 'Your password cannot be changed right now. Nothing was changed; try again shortly.',
    };
  }
  // Trust on this browser ended with the others; its cookie now holds a dead token.
  await clearDeviceToken();
  redirect('/reset-password?done=1');
}
