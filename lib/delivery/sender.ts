// The delivery port: how a message reaches a person. Adapters: Postmark (email), Twilio
// Messages (sms), Twilio Calls (voice), and the development outbox (every channel).

export type Channel = 'email' | 'sms' | 'voice';

export type OutgoingMessage = {
  channel: Channel;
  /** Email address, or phone number in E.164. */
  to: string;
  /** Email subject; also the outbox's title for SMS and voice. */
  subject: string;
  /** Email text body, SMS body, or the words a voice call reads. */
  text: string;
  /**
   * The HTML part of an email, made from `text` by withEmailParts (lib/email); senders of email
   * require it, and every other channel ignores it.
   */
  html?: string;
  /** The code the message carries, when it carries one (outbox and tests read it). */
  code?: string;
  /** Seconds after which an SMS not yet delivered should be dropped (Twilio ValidityPeriod, OTP-11). */
  validitySeconds?: number;
};

export interface Sender {
  /** Resolves when the provider accepted the message; throws DeliveryError otherwise. */
  send(message: OutgoingMessage): Promise<void>;
}

/** The provider refused, failed or timed out. `retryable` is false for a bad destination. */
export class DeliveryError extends Error {
  readonly channel: Channel;
  readonly retryable: boolean;
  constructor(message: string, options: { channel: Channel; retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.channel = options.channel;
    this.retryable = options.retryable;
  }
}
