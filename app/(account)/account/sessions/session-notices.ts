import { readNotice } from '@/app/ui/notices';

// The notices of this page's actions (app/ui/notices.ts).
export const sessionNotices = {
  'signed-out-one': {
    tone: 'info',
    text: 'That session was signed out. The browser it was on must sign in again.',
  },
  'signed-out-others': {
    tone: 'info',
    text: 'All your other sessions were signed out. Only this browser is still signed in.',
  },
  'not-found': {
    tone: 'error',
    text: 'That session was not found. It may have ended already; nothing was changed.',
  },
  unavailable: {
    tone: 'error',
    text: 'Your sessions cannot be changed right now. Nothing was changed; try again shortly.',
  },
} as const;

export type SessionNotice = keyof typeof sessionNotices;

export const readSessionNotice = (value: unknown) => readNotice(sessionNotices, value);
