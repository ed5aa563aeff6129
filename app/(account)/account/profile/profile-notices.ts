import { readNotice } from '@/app/ui/notices';

// The notices of this page's actions (app/ui/notices.ts).
export const profileNotices = {
  'identity-sent': { tone: 'info', text: 'A security code was sent to your email address.' },
  confirmed: {
    tone: 'info',
    text: 'Thank you. You can now change your email address or phone number for the next 10 minutes.',
  },
  'confirm-first': {
    tone: 'error',
    text: 'Confirm it’s you with a code first: the last one was entered more than 10 minutes ago.',
  },
  'change-sent': {
    tone: 'info',
    text: 'A security code was sent to the new destination. Nothing changes until you enter it.',
  },
  resent: { tone: 'info', text: 'A new security code was sent. The previous one no longer works.' },
  'email-changed': {
    tone: 'info',
    text: 'Your email address was changed. Sign-in codes now go there; your old address was told, and your trusted devices will ask for a code again.',
  },
  'phone-changed': {
    tone: 'info',
    text: 'Your phone number was changed and verified. Text-message codes now go there; your email address was told, and your trusted devices will ask for a code again.',
  },
  'change-expired': {
    tone: 'error',
    text: 'That change has expired. Nothing was changed; start again.',
  },
  'already-used': {
    tone: 'error',
    text: 'That email address belongs to another account. Nothing was changed.',
  },
  cancelled: { tone: 'info', text: 'The change was cancelled. Nothing was changed.' },
} as const;

export type ProfileNotice = keyof typeof profileNotices;

export const readProfileNotice = (value: unknown) => readNotice(profileNotices, value);
