import { readNotice } from '@/app/ui/notices';

// The notices of this page's actions (app/ui/notices.ts).
export const deviceNotices = {
  deleted: {
    tone: 'info',
    text: 'The device was deleted. The next sign-in from it will ask for a security code.',
  },
  'deleted-this': {
    tone: 'info',
    text: 'This browser is no longer trusted. The next sign-in here will ask for a security code.',
  },
  'deleted-others': {
    tone: 'info',
    text: 'All other devices were deleted. Sign-ins from them will ask for a security code.',
  },
  'not-found': {
    tone: 'error',
    text: 'That device was not found. It may have been deleted already; nothing was changed.',
  },
  unavailable: {
    tone: 'error',
    text: 'Your devices cannot be changed right now. Nothing was changed; try again shortly.',
  },
} as const;

export type DeviceNotice = keyof typeof deviceNotices;

export const readDeviceNotice = (value: unknown) => readNotice(deviceNotices, value);
