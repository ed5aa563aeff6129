import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';
import { shownAddress } from '@/lib/client-address';

/** The email after a password is changed or reset (PW-09, RC-05). */
export function passwordChangedNotice(input: {
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
      `IP address: ${shownAddress(input.ip)}`,
      '',
      input.how === 'changed'
        ? 'Your other sessions were signed out, and every trusted browser will ask for a security code again.'
        : 'All your sessions were signed out, and every trusted browser will ask for a security code again.',
      '',
      `If you did not do this, contact your administrator at once: someone else may control your account. ${new URL(input.origin).origin}`,
    ].join('\n'),
  };
}
