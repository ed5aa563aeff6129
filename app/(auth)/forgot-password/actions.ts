'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { getRequestInfo } from '@/lib/web/request-info';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { requestPasswordReset } from '@/lib/auth/password-reset';
import type { FormState } from '@/lib/auth/form-state';

/**
 * Forgot password. Whatever was typed, known account or not, the answer is the same redirect
 * (RC-01, BF-04); the email, when there is one, leaves after the response (lib/auth/password-reset.ts).
 */
export async function requestResetAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const identifier = String(formData.get('identifier') ?? '').trim();
  if (!identifier) return { error: 'Enter your username or email address.' };
  if ([...identifier].length > 320)
    return {
      error: 'That is too long for a username or an email address.',
      values: { identifier: identifier.slice(0, 320) },
    };
  try {
    await requestPasswordReset(getAccountSecurityDeps(), {
      identifier,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    // The same words for every account: an outage says nothing about who exists (AV-01).
    console.error('password reset: request failed', error);
    return { error: 'A link cannot be sent right now. Try again shortly.', values: { identifier } };
  }
  redirect('/forgot-password?sent=1');
}
