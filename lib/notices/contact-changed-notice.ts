import type { OutgoingMessage } from '@/lib/delivery/sender';
import { maskEmail, maskPhone } from '@/lib/delivery/mask-destination';
import { utcMinute } from '@/lib/format-time';

// The email to the OLD address when an email or phone changes (OTP-10, RC-05): if someone else
// made the change, the owner hears of it at the address they still control. The new destination
// is masked, the way the sign-in page shows it, so a mailbox that is no longer the owner's learns
// nothing useful.

export type ContactChange = { email?: { to: string }; phone?: { to: string | null } };

export function contactChangedNotice(input: {
  /** The address before the change. */
  to: string;
  change: ContactChange;
  at: Date;
  /** Who made the change: the person themselves (profile page) or an administrator. */
  by: 'self' | 'admin';
  origin: string;
}): OutgoingMessage {
  const when = utcMinute(input.at);
  const lines: string[] = [];
  if (input.change.email) lines.push(`Email address: now ${maskEmail(input.change.email.to)}`);
  if (input.change.phone)
    lines.push(
      `Phone number: ${input.change.phone.to ? `now ${maskPhone(input.change.phone.to)}` : 'removed'}`,
    );
  const what =
    input.change.email && input.change.phone
      ? 'email address and phone number'
      : input.change.email
        ? 'email address'
        : 'phone number';
  return {
    channel: 'email',
    to: input.to,
    subject: `Your Latchkey ${what} was changed`,
    text: [
      `The ${what} of your Latchkey account was changed${input.by === 'admin' ? ' by an administrator' : ''}.`,
      '',
      ...lines,
      `When: ${when}`,
      '',
      'Security codes for signing in now go to the new destination, and every trusted browser must',
      'enter a code again at its next sign-in.',
      '',
      `If you did not ask for this, contact your administrator at once: someone else may control your account. ${new URL(input.origin).origin}`,
    ].join('\n'),
  };
}
