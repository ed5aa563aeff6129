import 'server-only';
import { ServerClient } from 'postmark';
import { DeliveryError, type OutgoingMessage, type Sender } from '@/lib/delivery/sender';

// Email through Postmark's POST /email. The only file that imports the Postmark SDK.

export type PostmarkSenderOptions = {
  serverToken: string;
  /** "Latchkey <login@example.com>": a sender signature or verified domain in Postmark. */
  from: string;
  /** Transactional stream ("outbound" unless the server has another). */
  messageStream: string;
  /** host:port of a Postmark-compatible server over plain HTTP (tests only). */
  apiHost?: string;
  /** Abort after this long: a slow provider must not hold the sign-in page (AV-02). */
  timeoutMs: number;
};

/**
 * Postmark ErrorCodes that say "this address will not take mail": sending again cannot help, the
 * user should pick another channel. 300 invalid email request (bad address), 406 inactive
 * recipient (hard bounce, spam complaint or manual suppression).
 * https://postmarkapp.com/developer/api/overview#error-codes
 */
const UNDELIVERABLE_CODES = new Set([300, 406]);

export function createPostmarkSender(options: PostmarkSenderOptions): Sender {
  const client = new ServerClient(options.serverToken, {
    // postmark 5 measures `timeout` in seconds (it multiplies by 1000 for AbortSignal.timeout);
    // fractions work, so 1500 ms is 1.5.
    timeout: options.timeoutMs / 1000,
    ...(options.apiHost ? { useHttps: false, requestHost: options.apiHost } : {}),
  });

  return {
    async send(message: OutgoingMessage) {
      if (message.channel !== 'email') {
        throw new DeliveryError(`Postmark cannot deliver ${message.channel} messages`, {
          channel: message.channel,
          retryable: false,
        });
      }
      // Every email has both parts (decision 0021): one without HTML is a wiring mistake.
      if (!message.html) throw new TypeError('An email needs its HTML part (withEmailParts).');
      try {
        await client.sendEmail({
          From: options.from,
          To: message.to,
          Subject: message.subject,
          TextBody: message.text,
          HtmlBody: message.html,
          MessageStream: options.messageStream,
        });
      } catch (error) {
        throw toDeliveryError(error);
      }
    },
  };
}

function toDeliveryError(error: unknown): DeliveryError {
  // PostmarkError carries `code` (Postmark's ErrorCode, 0 for network errors and timeouts) and
  // `statusCode` (HTTP status, 0 when no response arrived).
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  const errorCode = typeof code === 'number' ? code : 0;
  const status = typeof statusCode === 'number' ? statusCode : 0;
  const what = status
    ? `HTTP ${status}, ErrorCode ${errorCode}`
    : 'no response (network error or timeout)';
  return new DeliveryError(`Postmark did not accept the email: ${what}`, {
    channel: 'email',
    retryable: !UNDELIVERABLE_CODES.has(errorCode),
    cause: error,
  });
}
