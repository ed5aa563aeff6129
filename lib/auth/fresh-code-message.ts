import { describeLifetime } from '@/lib/challenges/code-message';
import type { OutgoingMessage } from '@/lib/delivery/sender';

// The email that carries a code for a sensitive change (SE-07). It names the change, so a person
// who did not start it knows someone else is signed in to their account.

/** What the code is about to allow. */
export type SensitiveAction = 'password' | 'devices' | 'contact' | 'two-step' | 'admin';

const purposes: Record<SensitiveAction, string> = {
  password: 'change the password of your Latchkey account',
  devices: 'delete the trusted devices of your Latchkey account',
  contact: 'change the email address or phone number of your Latchkey account',
  'two-step': 'change the two-step sign-in methods of your Latchkey account',
  admin: 'change how another person signs in to Latchkey, as an administrator',
};

export function composeFreshCodeMessage(input: {
  to: string;
  code: string;
  ttlSeconds: number;
  origin: string;
  action: SensitiveAction;
}): OutgoingMessage {
  return {
    channel: 'email',
    to: input.to,
    subject: 'Your Latchkey code to confirm it’s you',
    code: input.code,
    text: [
      `You asked to ${purposes[input.action]}. To confirm it’s you, enter this code:`,
      '',
      `Your security code is: ${input.code}`,
      '',
      `It expires in ${describeLifetime(input.ttlSeconds)}. Enter it on your account page at ${new URL(input.origin).origin}.`,
      '',
      'If you did not ask for this, someone else is signed in to your account: change your password',
      'and sign out your other sessions, or tell your administrator.',
    ].join('\n'),
  };
}
