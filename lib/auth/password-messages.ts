import type { OutgoingMessage } from '@/lib/otp/delivery/sender';
import { utcMinute } from '@/lib/format-time';

// The emails around a password: the reset link (RC-02) and the notices after a change or a reset
// (PW-09, RC-05). Plain text; links are built from the configured origin, never from the request.

/** The reset link's URL: the token rides in the query string of the configured origin. */
export function passwordResetLink(origin: string, token: string): string {
  const url = new URL('/reset-password', origin);
  url.searchParams.set('token', token);
  return url.toString();
}

export function composePasswordResetEmail(input: {
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
      'After the reset you sign in with the new password and a security code as usual.',
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ].join('\n'),
  };
}

export function composePasswordChangedNotice(input: {
  to: string;
  how: 'changed' | 'reset';
  at: Date;
  ip: string | null;
  origin: string;
}): OutgoingMessage {
  const verb = input.how === 'changed' ? 'changed' : 'reset';
  return {
    channel: 'email',
    to: input.to,
    subject: `Your Latchkey password was ${verb}`,
    text: [
      `The password of your Latchkey account was ${verb}${input.how === 'reset' ? ' with a link sent to this address' : ''}.`,
      '',
      `When: ${utcMinute(input.at)}`,
      `IP address: ${input.ip ?? 'unknown'}`,
      '',
      input.how === 'changed'
        ? 'Your other sessions were signed out, and every trusted browser will ask for a security code again.'
        : 'All your sessions were signed out, and every trusted browser will ask for a security code again.',
      '',
      `If you did not do this, contact your administrator at once: someone else may control your account. ${new URL(input.origin).origin}`,
    ].join('\n'),
  };
}
