import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';

/** The email when two-step sign-in is switched on or off for an account (RC-05). */
export function twoFactorChangedNotice(input: {
  to: string;
  enabled: boolean;
  at: Date;
  origin: string;
}): OutgoingMessage {
  const when = utcMinute(input.at);
  return {
    channel: 'email',
    to: input.to,
    subject: `Two-step sign-in was turned ${input.enabled ? 'on' : 'off'} for your Latchkey account`,
    text: [
      `An administrator turned two-step sign-in ${input.enabled ? 'on' : 'off'} for your Latchkey account.`,
      input.enabled
        ? 'From your next sign-in you will enter a security code after your password.'
        : 'Your account now signs in with the password alone, which is weaker.',
      `When: ${when}`,
      '',
      `If you did not expect this, contact your administrator. ${new URL(input.origin).origin}`,
    ].join('\n'),
  };
}
