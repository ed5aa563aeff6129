import type { OutgoingMessage } from '@/lib/delivery/sender';
import { utcMinute } from '@/lib/format-time';

/** The set-password invitation for a user created without a password (CSV-03). */
export function invitationNotice(input: {
  to: string;
  username: string;
  name: string | null;
  link: string;
  expiresAt: Date;
}): OutgoingMessage {
  const until = utcMinute(input.expiresAt);
  return {
    channel: 'email',
    to: input.to,
    subject: 'You have been invited to sign in with Latchkey',
    text: [
      `Hello${input.name ? ` ${input.name}` : ''},`,
      '',
      `An administrator created a Latchkey account for you. Your username is: ${input.username}`,
      '',
      `Choose your password here (the link works once, until ${until}):`,
      input.link,
      '',
      'If you did not expect this, ignore this email: nothing happens until a password is set.',
    ].join('\n'),
  };
}
