import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';

/**
 * Told to the old address when an upload changed a user's phone or email (OTP-10, CSV-05): the
 * new destination is an unverified authenticator until a code round-trips, and if the user did
 * not expect it they should say so. The import does not carry the new phone number, so unlike
 * contactChangedNotice this one cannot show the new destination masked.
 */
export function contactChangedByUploadNotice(input: {
  to: string;
  username: string;
  phoneChanged: boolean;
  emailChanged: boolean;
  at: Date;
}): OutgoingMessage {
  const what =
    input.phoneChanged && input.emailChanged
      ? 'phone number and email address'
      : input.phoneChanged
        ? 'phone number'
        : 'email address';
  const when = utcMinute(input.at);
  return {
    channel: 'email',
    to: input.to,
    subject: `The ${what} of your Latchkey account was changed`,
    text: [
      `An administrator changed the ${what} of your Latchkey account (${input.username}) on ${when}.`,
      'Security codes now go to the new destination, and your trusted browsers were removed: the next sign-in on each asks for a code.',
      '',
      'If you did not expect this change, contact your administrator.',
    ].join('\n'),
  };
}
