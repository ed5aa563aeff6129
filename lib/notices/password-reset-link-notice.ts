import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';

// The reset link (RC-02). Links are built from the configured origin, never from the request.

/** The reset link's URL: the token rides in the query string of the configured origin. */
export function passwordResetLink(origin: string, token: string): string {
  const url = new URL('/reset-password', origin);
  url.searchParams.set('token', token);
  return url.toString();
}

export function passwordResetLinkNotice(input: {
  to: string;
  username: string;
  link: string;
  expiresAt: Date;
}): OutgoingMessage {
  return {
    channel: 'email',
    to: input.to,
    subject: 'Reset your Latchkey password',
    text: [
      `Someone asked to reset the password of the Latchkey account "${input.username}".`,
      '',
      `Choose a new password here (the link works once, until ${utcMinute(input.expiresAt)}):`,
      input.link,
      '',
      'After the reset you sign in with the new password and a second step as usual. If your',
      'account has another sign-in method (phone, authenticator app, passkey or backup codes),',
      'that sign-in must use it: a code sent to this mailbox will not be accepted.',
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ].join('\n'),
  };
}
