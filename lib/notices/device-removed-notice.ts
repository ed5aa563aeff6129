import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';
import { shownAddress } from '@/lib/client-address';

// The email when trusted devices are removed on purpose (RC-05): by the user on My Trusted
// Devices, or by an administrator. Removals that come with a change which sends its own notice
// (email or phone, password, two-step switch, disable) send none: one change, one email.
// Decision record: docs/decisions/0011-notifications.md.

export type RemovedBy = 'self' | 'admin';

/**
 * Which devices, when, from where and by whom; where to look, and what to do if it was not the
 * owner. Plain text; device names are the user's own words (control characters are refused when
 * they are saved, TD-07), one a line, as typed. No code, no link that signs in.
 */
export function deviceRemovedNotice(input: {
  to: string;
  deviceNames: string[];
  by: RemovedBy;
  at: Date;
  ip: string | null;
  origin: string;
}): OutgoingMessage {
  const when = utcMinute(input.at);
  const link = new URL('/account/trusted-devices', input.origin).toString();
  const many = input.deviceNames.length > 1;
  const self = input.by === 'self';
  return {
    channel: 'email',
    to: input.to,
    subject: `${many ? 'Trusted browsers were' : 'A trusted browser was'} removed from your Latchkey account`,
    text: [
      `${many ? `${input.deviceNames.length} browsers were` : 'A browser was'} removed from your trusted devices${self ? '' : ' by an administrator'}. Sign-ins from ${many ? 'them' : 'it'} will ask for a security code again.`,
      '',
      `${many ? 'Devices' : 'Device'}:`,
      ...input.deviceNames.map((name) => `- ${name}`),
      `When: ${when}`,
      `By: ${self ? 'you (signed in to your account)' : 'an administrator'}`,
      ...(self ? [`IP address: ${shownAddress(input.ip)}`] : []),
      '',
      `Your trusted devices: ${link}`,
      self
        ? 'If this was not you, someone is signed in to your account: change your password, sign out everywhere, and tell your administrator.'
        : 'If you did not expect this, ask your administrator why.',
    ].join('\n'),
  };
}
