import { readNotice } from '@/app/ui/notices';

// The notices of this page's actions (app/ui/notices.ts).
export const userNotices = {
  created: {
    tone: 'info',
    text: 'The user was created and emailed an invitation to set a password.',
  },
  'created-invitation-failed': {
    tone: 'error',
    text: 'The user was created, but the invitation email could not be sent. Send it again below.',
  },
  'created-not-invited': {
    tone: 'info',
    text: 'The user was created. No invitation was sent because the account is disabled.',
  },
  invited: {
    tone: 'info',
    text: 'An invitation to set a password was emailed. Earlier invitation links no longer work.',
  },
  'invitation-failed': {
    tone: 'error',
    text: 'The invitation email could not be sent. Try again shortly.',
  },
  'invitation-not-needed': {
    tone: 'info',
    text: 'No invitation was sent: the account is disabled or its owner has already chosen a password.',
  },
  saved: { tone: 'info', text: 'The changes were saved.' },
  'saved-invitation-ended': {
    tone: 'info',
    text: 'The changes were saved. The invitation sent to the old email address no longer works: email a new one to the new address below.',
  },
  unchanged: { tone: 'info', text: 'Nothing was changed.' },
  'device-revoked': {
    tone: 'info',
    text: 'The device was revoked. Its next sign-in will ask for a security code.',
  },
  'devices-revoked': {
    tone: 'info',
    text: 'All devices were revoked. Every sign-in will ask for a security code.',
  },
  'device-not-found': {
    tone: 'error',
    text: 'That device was not found. It may have been revoked already; nothing was changed.',
  },
  unavailable: {
    tone: 'error',
    text: 'The change could not be made right now. Nothing was changed; try again shortly.',
  },
} as const;

export type UserNotice = keyof typeof userNotices;

export const readUserNotice = (value: unknown) => readNotice(userNotices, value);

/**
 * A change of how someone signs in, refused because the admin entered no code within the window
 * (SE-07, decision 12). Forms keep what was typed, so saving again after confirming is one click.
 */
export const NOT_FRESH_TEXT =
  'Confirm it’s you first: this change needs a code sent to your email, entered in the last few minutes. Use “Confirm it’s you” at the top of this page. Nothing was changed.';

/** Where a refused form without state (a revoke button) sends the admin: the "Confirm it's you" step. */
export const confirmFirstPath = (userId: string) =>
  `/admin/users/${userId}?fresh=required#confirm-admin`;
