'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { getRequestInfo } from '@/lib/web/request-info';
import type { FormState } from '@/lib/auth/form-state';
import { redeemInvitation } from '@/lib/invitations/redeem-invitation';
import { invitationRefusals } from './invitation-refusals';

// Sets the password and sends the person to sign in: an invitation never signs in by itself
// (RC-03), so the first sign-in still asks for a code. The password is never echoed back.
export async function setPasswordAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const token = String(formData.get('token') ?? '');
  const password = String(formData.get('password') ?? '');
  const confirm = String(formData.get('confirm') ?? '');
  if (!password) return { error: 'Enter a password.' };
  if (password !== confirm)
    return { error: 'The two passwords are not the same. Type the same password twice.' };
  if (password.length > 8192) return { error: 'Use at most 1024 characters.' };
  try {
    const result = await redeemInvitation(token, password, await getRequestInfo());
    if (!result.ok)
      return {
        error: result.reason === 'weak' ? result.message : invitationRefusals[result.reason],
      };
  } catch (error) {
    unstable_rethrow(error);
    console.error('invitation: setting the password failed', error);
    return {
      error: 'Your password could not be set right now. Nothing was changed; try again shortly.',
    };
  }
  redirect('/login?notice=password-set');
}
