import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';

export type TwoStepMethod = 'authenticator-app' | 'backup-codes' | 'passkey';
export type TwoStepMethodChange = 'added' | 'removed' | 'regenerated' | 'reset-by-admin';

// What happened (the subject, also the first sentence) and what it means for the next sign-in.
// Written out for every pair rather than assembled from parts: the grammar differs ("was"/"were",
// "to"/"from") and a reader of this file should see each email as it is sent.
const WORDING: Record<TwoStepMethod, Record<TwoStepMethodChange, [string, string]>> = {
  'authenticator-app': {
    added: [
      'An authenticator app was added to your Latchkey account',
      'Sign-ins can now take a code from the app as the second step.',
    ],
    removed: [
      'An authenticator app was removed from your Latchkey account',
      'Codes from that app no longer sign you in.',
    ],
    regenerated: [
      'The authenticator app of your Latchkey account was set up again',
      'Codes from the app as it was set up before no longer sign you in.',
    ],
    'reset-by-admin': [
      'An administrator removed the authenticator app from your Latchkey account',
      'Codes from that app no longer sign you in. You can set up an app again after you sign in.',
    ],
  },
  'backup-codes': {
    added: [
      'Backup codes were created for your Latchkey account',
      'Each backup code signs you in once, when you cannot use your other second step.',
    ],
    removed: [
      'The backup codes of your Latchkey account were removed',
      'None of those codes signs you in any more.',
    ],
    regenerated: [
      'New backup codes were generated for your Latchkey account',
      'The codes from before no longer sign you in; only the new ones do.',
    ],
    'reset-by-admin': [
      'An administrator removed the backup codes of your Latchkey account',
      'None of those codes signs you in any more. You can generate new ones after you sign in.',
    ],
  },
  passkey: {
    added: [
      'A passkey was added to your Latchkey account',
      'Sign-ins can now use the passkey as the second step.',
    ],
    removed: [
      'A passkey was removed from your Latchkey account',
      'That passkey no longer signs you in.',
    ],
    regenerated: [
      'A passkey of your Latchkey account was replaced',
      'The passkey it replaced no longer signs you in.',
    ],
    'reset-by-admin': [
      'An administrator removed the passkeys of your Latchkey account',
      'Those passkeys no longer sign you in. You can add a passkey again after you sign in.',
    ],
  },
};

/**
 * The email when a second-step method of an account is added, removed, regenerated or reset by an
 * administrator (RC-05): what changed, when, and what to do if it was not the owner. Plain text;
 * never a code, a secret or a setup key.
 */
export function twoStepMethodChangedNotice(input: {
  to: string;
  method: TwoStepMethod;
  change: TwoStepMethodChange;
  at: Date;
  origin: string;
}): OutgoingMessage {
  const [what, effect] = WORDING[input.method][input.change];
  const link = new URL('/account/two-step', input.origin).toString();
  return {
    channel: 'email',
    to: input.to,
    subject: what,
    text: [
      `${what}.`,
      effect,
      '',
      `When: ${utcMinute(input.at)}`,
      '',
      input.change === 'reset-by-admin'
        ? `If you did not ask your administrator for this, sign in, change your password and tell them at once: someone else may be trying to take over your account. ${link}`
        : `If you did not do this, sign in, change your password and tell your administrator at once: someone else may control your account. ${link}`,
    ].join('\n'),
  };
}
