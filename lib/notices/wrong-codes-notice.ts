import type { OutgoingMessage } from '@/lib/otp/delivery/sender';
import { utcMinute } from '@/lib/format-time';

/**
 * The email sent when someone passed the password step and then entered wrong codes (OTP-13):
 * whoever it was knows the password. Plain text; no code, no link that signs in.
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
    subject: 'Wrong security codes were entered for your Latchkey sign-in',
    text: [
      `Someone entered your password correctly and then ${input.wrongCodes} wrong security codes.`,
      '',
      `When: ${when}`,
      `IP address: ${input.ip ?? 'unknown'}`,
      '',
      'If this was you, there is nothing to do.',
      `If it was not, someone knows your password: sign in at ${link} and change it, and tell your administrator.`,
    ].join('\n'),
  };
}
