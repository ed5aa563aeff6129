import { readNotice } from '@/app/ui/notices';
import type { SendFreshCodeResult } from '@/lib/auth/fresh-code';
import type { SensitiveAction } from '@/lib/auth/fresh-code-message';
import type { CodeRefusal } from '@/lib/challenges/check-code';
import type { SendCodeResult } from '@/lib/challenges/send-code';

// The words for the "Confirm it's you" step, shared by every page that asks for a fresh code.

/** Pages that ask for a fresh code, and where their actions send the person back to. */
export const freshCodePages = {
  password: { path: '/account/password', action: 'password' },
  devices: { path: '/account/trusted-devices', action: 'devices' },
  'two-step': { path: '/account/two-step', action: 'two-step' },
  'admin-new-user': { path: '/admin/users/new', action: 'admin' },
} as const;
export type FreshCodePage = keyof typeof freshCodePages;

/** The admin's page of one user (decision 12): its path holds the user's id. */
export type AdminUserFreshCodePage = `admin-user:${string}`;
export const adminUserFreshCodePage = (userId: string): AdminUserFreshCodePage =>
  `admin-user:${userId}`;
/** The admin's User Upload page of one upload, before its import (decision 12). */
export type AdminUploadFreshCodePage = `admin-upload:${string}`;
export const adminUploadFreshCodePage = (uploadId: string): AdminUploadFreshCodePage =>
  `admin-upload:${uploadId}`;
export type FreshCodeTarget = FreshCodePage | AdminUserFreshCodePage | AdminUploadFreshCodePage;

const ADMIN_USER = /^admin-user:([\w-]{1,64})$/;
const ADMIN_UPLOAD = /^admin-upload:([\w-]{1,64})$/;

/**
 * Where a bound page value sends the person back to, and what the code is for. The value comes
 * back from the browser, so it is only ever a key of freshCodePages or `admin-user:` with an id
 * of the form user ids have: a tampered one can name no other path (anything else falls back to
 * the password page).
 */
export function freshCodeTarget(page: unknown): { path: string; action: SensitiveAction } {
  if (typeof page === 'string' && Object.hasOwn(freshCodePages, page))
    return freshCodePages[page as FreshCodePage];
  const admin = typeof page === 'string' ? ADMIN_USER.exec(page) : null;
  if (admin) return { path: `/admin/users/${admin[1]}`, action: 'admin' };
  const upload = typeof page === 'string' ? ADMIN_UPLOAD.exec(page) : null;
  if (upload) return { path: `/admin/users/upload?id=${upload[1]}`, action: 'admin' };
  return freshCodePages.password;
}

/** `?fresh=` words carried across a redirect; the page shows only these texts. */
export const freshCodeNotices = {
  required: {
    tone: 'error',
    text: 'Confirm it’s you with a code first: no code was entered here recently.',
  },
  sent: { tone: 'info', text: 'A security code was sent to your email address.' },
  confirmed: { tone: 'info', text: 'Thank you, that’s confirmed.' },
} as const;

export const readFreshCodeNotice = (value: unknown) => readNotice(freshCodeNotices, value);

const seconds = (n: number) => `${n} ${n === 1 ? 'second' : 'seconds'}`;

/** Why a code was not sent, for any page that sends one; `where` names the destination. */
export function codeSendRefusal(
  result: Exclude<SendCodeResult, { ok: true }>,
  where: { unavailable: string; failed: string },
): string {
  switch (result.reason) {
    case 'cooldown':
      return `Wait ${seconds(result.retryAfterSeconds)} before asking for another code.`;
    case 'limited':
      return 'Too many codes were sent for your account. Try again later.';
    case 'locked':
      return 'Too many wrong codes were entered for your account today. Ask your administrator to unlock it.';
    case 'channel-unavailable':
      return where.unavailable;
    case 'delivery-failed':
      return where.failed;
  }
}

export function sendRefusal(result: Exclude<SendFreshCodeResult, { ok: true }>): string {
  if (result.reason === 'no-session') return 'Sign in again to continue.';
  return codeSendRefusal(result, {
    unavailable: 'Emails cannot be sent right now. Try again later.',
    failed: 'The code could not be sent to your email address. Try again shortly.',
  });
}

export function codeRefusal(result: CodeRefusal): string {
  switch (result.reason) {
    case 'malformed':
      return 'Enter the 6-digit security code.';
    case 'mismatch':
      return `That code is not right. ${result.attemptsLeft} ${result.attemptsLeft === 1 ? 'try' : 'tries'} left.`;
    case 'burnt':
      return 'Too many wrong tries: that code no longer works. Send a new code.';
    case 'expired':
      return 'That code has expired. Send a new code.';
    case 'no-code':
      return 'There is no code to check. Send a new code.';
    case 'locked':
      return 'Too many wrong codes were entered for your account today. Ask your administrator to unlock it.';
    case 'limited':
      return `Too many codes were entered. Wait ${seconds(result.retryAfterSeconds)} and send a new code.`;
  }
}
