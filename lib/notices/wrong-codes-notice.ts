import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';
import { shownAddress } from '@/lib/client-address';

/**
 * The email sent when wrong security codes pile up on an account (OTP-13), whatever they were
 * for: at sign-in whoever typed them knew the password; on a "confirm it's you" step they were
 * signed in. Plain text; no code, no link that signs in.
 */
export function wrongCodesNotice(input: {
  to: string;
  wrongCodes: number;
  at: Date;
  ip: string | null;
  origin: string;
}): OutgoingMessage {
  const when = utcMinute(input.at);
  const link = new URL('/account', input.origin).toString();
  return {
    channel: 'email',
    to: input.to,
    subject: 'Wrong security codes were entered for your Latchkey account',
    text: [
      `${input.wrongCodes} wrong security codes have been entered for your Latchkey account in the last 24 hours.`,
      'To get that far, whoever typed them knew your password or was signed in as you.',
      '',
      `When: ${when}`,
      `IP address: ${shownAddress(input.ip)}`,
      '',
      'If this was you, there is nothing to do.',
      `If it was not, sign in at ${link}, change your password, sign out your other sessions, and tell your administrator.`,
    ].join('\n'),
  };
}
