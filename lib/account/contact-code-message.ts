import { describeLifetime, webOtpLine } from '@/lib/challenges/code-message';
import type { Channel, OutgoingMessage } from '@/lib/delivery/sender';

// The words around a code sent to a NEW email or phone from the profile page. The sign-in wording
// ("enter it on the sign-in page … if you did not try to sign in") would mislead here, so these
// say what the code is for; the SMS keeps the WebOTP line last and the validity period (OTP-11).

export function composeNewDestinationCodeMessage(input: {
  channel: Channel;
  to: string;
  code: string;
  ttlSeconds: number;
  origin: string;
}): OutgoingMessage {
  const { channel, to, code, ttlSeconds, origin } = input;
  const lifetime = describeLifetime(ttlSeconds);
  const subject = 'Confirm your new Latchkey contact details';
  if (channel !== 'email') {
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
      'This email address was entered as the new one for a Latchkey account.',
      '',
      `Your security code is: ${code}`,
      '',
      `It expires in ${lifetime}. Enter it on your profile page at ${new URL(origin).origin}.`,
      '',
      'If you did not ask for this, ignore this message: nothing changes without the code.',
    ].join('\n'),
  };
}
