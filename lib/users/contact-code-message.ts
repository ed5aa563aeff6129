import { describeLifetime, webOtpLine } from '@/lib/otp/code-message';
import type { OutgoingMessage } from '@/lib/otp/delivery/sender';

// The words around a code sent from the profile page. The sign-in wording ("enter it on the
// sign-in page … if you did not try to sign in") would mislead here, so these say what the code
// is for; the SMS keeps the WebOTP line last and the validity period (OTP-11).

/** `confirm-identity`: to the current email before a change (SE-07); `verify-destination`: to the new one. */
export type ContactCodePurpose = 'confirm-identity' | 'verify-destination';

export function composeContactCodeMessage(input: {
  channel: 'email' | 'sms';
  to: string;
  code: string;
  ttlSeconds: number;
  origin: string;
  purpose: ContactCodePurpose;
}): OutgoingMessage {
  const { channel, to, code, ttlSeconds, origin, purpose } = input;
  const lifetime = describeLifetime(ttlSeconds);
  const subject =
    purpose === 'confirm-identity'
      ? 'Your Latchkey code to change your contact details'
      : 'Confirm your new Latchkey contact details';
  const why =
    purpose === 'confirm-identity'
      ? 'You asked to change the email address or phone number of your Latchkey account.'
      : `This ${channel === 'email' ? 'email address' : 'phone number'} was entered as the new one for a Latchkey account.`;
  if (channel === 'sms') {
    return {
      channel,
      to,
      subject,
      code,
      validitySeconds: ttlSeconds,
      text: `Your Latchkey code to confirm this number is ${code}. It expires in ${lifetime}.\n\n${webOtpLine(origin, code)}`,
    };
  }
  return {
    channel,
    to,
    subject,
    code,
    text: [
      why,
      '',
      `Your security code is: ${code}`,
      '',
      `It expires in ${lifetime}. Enter it on your profile page at ${new URL(origin).origin}.`,
      '',
      purpose === 'confirm-identity'
        ? 'If you did not ask for this, change your password: someone else is signed in to your account.'
        : 'If you did not ask for this, ignore this message: nothing changes without the code.',
    ].join('\n'),
  };
}
