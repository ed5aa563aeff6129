import type { Channel, OutgoingMessage } from '@/lib/delivery/sender';

// The words that carry a one-time code, per channel. Pure: the caller passes the lifetime and the
// origin (env.APP_ORIGIN), so the wording can be tested without configuration.

export type CodeMessageInput = {
  channel: Channel;
  /** Email address, or phone number in E.164. */
  to: string;
  /** The code as issued: a string, so leading zeros survive (OTP-01). */
  code: string;
  /** Seconds the code stays valid; also the SMS ValidityPeriod (OTP-11). */
  ttlSeconds: number;
  /** The app's public origin, e.g. https://login.example.com. */
  origin: string;
};

const SUBJECT = 'Your Latchkey security code';

export function composeCodeMessage(input: CodeMessageInput): OutgoingMessage {
  const { channel, to, code, ttlSeconds, origin } = input;
  const lifetime = describeLifetime(ttlSeconds);
  const base = { channel, to, subject: SUBJECT, code };

  switch (channel) {
    case 'email':
      return {
        ...base,
        text: [
          `Your Latchkey security code is: ${code}`,
          '',
          `It expires in ${lifetime}. Enter it on the sign-in page at ${new URL(origin).origin} to finish signing in.`,
          '',
          'If you did not try to sign in, change your password: someone else knows it.',
          'Latchkey will never ask you to read this code out or send it to anyone.',
        ].join('\n'),
      };
    case 'sms':
      return {
        ...base,
        // The WebOTP / origin-bound line must be the last line of the message.
        text: `Your Latchkey security code is ${code}. It expires in ${lifetime}.\n\n${webOtpLine(origin, code)}`,
        validitySeconds: ttlSeconds,
      };
    case 'voice': {
      // Commas make text-to-speech engines pause between digits, so "012345" is read as six
      // separate digits ("zero, one, …") rather than as a number; read twice for whoever
      // missed the start of the call.
      const spoken = code.split('').join(', ');
      return { ...base, text: `Your Latchkey security code is: ${spoken}. Again: ${spoken}.` };
    }
  }
}

/**
 * The origin-bound one-time code line (WICG "sms-one-time-codes", used by WebOTP in Chrome and by
 * Safari's one-time-code autofill): `@<host> #<code>`.
 *
 * The spec parses what follows `@` as a *host* and binds the code to the origin
 * ("https", host, port null), i.e. always the default port. A port cannot be expressed: ":" is a
 * forbidden host code point, so `@localhost:3000 #123456` would make the whole line unparseable
 * and autofill would silently stop working. We therefore send the hostname only (lower-cased,
 * IDNs in punycode, as URL gives them), also for local development.
 */
export function webOtpLine(origin: string, code: string): string {
  return `@${new URL(origin).hostname} #${code}`;
}

/** "45 seconds", "1 minute", "10 minutes", "90 seconds": words a person reads at a glance. */
export function describeLifetime(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  if (whole >= 60 && whole % 60 === 0) {
    const minutes = whole / 60;
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  }
  return whole === 1 ? '1 second' : `${whole} seconds`;
}
