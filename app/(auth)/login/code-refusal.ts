import type { SubmitCodeResult } from '@/lib/auth/sign-in-code';
import type { FormState } from '@/lib/auth/form-state';
import { tooManyAttemptsMessage } from '@/lib/rate-limit/too-many-attempts';

/** The words for a code the sign-in did not take, whatever factor it came from. */
export function codeRefusalState(
  result: Exclude<SubmitCodeResult, { ok: true } | { reason: 'no-ticket' }>,
  malformed = 'Enter the 6-digit security code.',
): FormState {
  switch (result.reason) {
    case 'malformed':
      return { error: malformed };
    case 'mismatch':
      return {
        error: `That code is not right. ${result.attemptsLeft} ${result.attemptsLeft === 1 ? 'try' : 'tries'} left.`,
      };
    case 'burnt':
      return {
        error: 'Too many wrong tries: that code no longer works. Send a new code.',
        info: 'resend',
      };
    case 'expired':
      return { error: 'That code has expired. Send a new code.', info: 'resend' };
    case 'no-code':
      return { error: 'There is no code to check. Send a new code.', info: 'resend' };
    case 'locked':
      return {
        error:
          'Too many wrong codes for this account. Try again later or contact your administrator.',
      };
    case 'limited':
      return { error: tooManyAttemptsMessage(result.retryAfterSeconds) };
  }
}
