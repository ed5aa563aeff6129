import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';
import { shownAddress } from '@/lib/client-address';

/**
 * The email telling an account's owner that its name is locked after failed passwords (RC-05).
 * Plain text; no code, no link that signs in: the links lead to the ordinary sign-in and reset
 * pages.
 */
export function lockoutNotice(input: {
  to: string;
  failures: number;
  at: Date;
  until: Date;
  ip: string | null;
  origin: string;
}): OutgoingMessage {
  const forgot = new URL('/forgot-password', input.origin).toString();
  const signIn = new URL('/login', input.origin).toString();
  return {
    channel: 'email',
    to: input.to,
    subject: 'Your Latchkey account was locked after failed sign-ins',
    text: [
      `Your account was locked after ${input.failures} failed password attempts.`,
      '',
      `When: ${utcMinute(input.at)}`,
      `Locked until: ${utcMinute(input.until)} (more failed attempts lock it for longer)`,
      `IP address of the last attempt: ${shownAddress(input.ip)}`,
      '',
      `If this was you, wait until the lock ends and sign in again at ${signIn}, or ask your administrator to unlock your account.`,
      `If it was not you, someone is guessing your password: once the lock ends, change it, or reset it at ${forgot}, and tell your administrator.`,
    ].join('\n'),
  };
}
