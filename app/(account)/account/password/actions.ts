'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { getCurrentSessionId, requireUser } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { changePassword } from '@/lib/auth/password-change';
import type { FormState } from '@/lib/auth/form-state';
import { clearDeviceToken } from '@/lib/web/device-cookie';

const PAGE = '/account/password';
// `values.field` names the field a refusal is about (never a password: nothing typed comes back).
const refuse = (error: string, field: string): FormState => ({ error, values: { field } });

/** PW-09: current password, a fresh code (checked again in lib), and the policy for the new one. */
export async function changePasswordAction(
  _prev: FormState,
  formData: FormData,
): Promise<FormState> {
  const user = await requireUser();
  const currentPassword = String(formData.get('currentPassword') ?? '');
  const newPassword = String(formData.get('newPassword') ?? '');
  const confirm = String(formData.get('confirm') ?? '');
  if (!currentPassword) return refuse('Enter your current password.', 'currentPassword');
  if (!newPassword) return refuse('Enter a new password.', 'newPassword');
  if (newPassword !== confirm)
    return refuse(
      'The two new passwords are not the same. Type the same password twice.',
      'confirm',
    );
  // Far beyond the policy's 1,024 code points: refused before any hashing (PW-02).
  if (currentPassword.length > 8192 || newPassword.length > 8192)
    return refuse('Use at most 1024 characters.', 'newPassword');

  let result;
  try {
    result = await changePassword(getAccountSecurityDeps(), {
      userId: user.id,
      currentSessionId: await getCurrentSessionId(),
      currentPassword,
      newPassword,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('password change failed', error);
    return {
      error: 'Your password cannot be changed right now. Nothing was changed; try again shortly.',
    };
  }
  if (!result.ok) {
    switch (result.reason) {
      case 'not-fresh':
        redirect(`${PAGE}?fresh=required`);
      case 'wrong-password':
        return refuse('Your current password is not right.', 'currentPassword');
      case 'limited':
        return refuse(
          'Too many wrong current passwords. Wait 15 minutes, then try again.',
          'currentPassword',
        );
      case 'weak':
        return refuse(result.message, 'newPassword');
    }
  }
  // Every trusted device was revoked; this browser's cookie now holds a dead token.
  await clearDeviceToken();
  redirect(`${PAGE}?notice=changed`);
}
