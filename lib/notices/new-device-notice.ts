import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';
import { shownAddress } from '@/lib/client-address';

/**
 * The email sent when a browser becomes trusted (TD-09): which device, when, from where, and
 * where to remove it. Plain text; the device name is the user's own words, shown as typed.
 */
export function newDeviceNotice(input: {
  to: string;
  deviceName: string;
  at: Date;
  ip: string | null;
  origin: string;
  /** The second step the trust came with, in words ("an authenticator app", "a code by SMS"). */
  confirmedWith?: string;
}): OutgoingMessage {
  const when = utcMinute(input.at);
  const link = new URL('/account/trusted-devices', input.origin).toString();
  return {
    channel: 'email',
    to: input.to,
    subject: 'A new browser was trusted for your Latchkey sign-in',
    text: [
      'A browser was added to your trusted devices. Sign-ins from it will not ask for a security code.',
      '',
      `Device: ${input.deviceName}`,
      `When: ${when}`,
      `IP address: ${shownAddress(input.ip)}`,
      ...(input.confirmedWith ? [`Confirmed with: ${input.confirmedWith}`] : []),
      '',
      `If this was not you, delete the device and change your password: ${link}`,
    ].join('\n'),
  };
}
