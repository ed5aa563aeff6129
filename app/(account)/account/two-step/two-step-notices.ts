import { readNotice } from '@/app/ui/notices';

/** `?notice=` words of the Two-step sign-in page; the page shows only these texts. */
export const twoStepNotices = {
  scan: {
    tone: 'info',
    text: 'Scan the QR code with your authenticator app, then enter the code it shows.',
  },
  'app-added': {
    tone: 'info',
    text: 'Your authenticator app is set up. You can use it at your next sign-in.',
  },
  'app-removed': { tone: 'info', text: 'The authenticator app was removed from your account.' },
  'setup-expired': {
    tone: 'error',
    text: 'That setup is no longer open. Start again to get a new QR code.',
  },
} as const;

export type TwoStepNotice = keyof typeof twoStepNotices;
export const readTwoStepNotice = (value: unknown) => readNotice(twoStepNotices, value);
