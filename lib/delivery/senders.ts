import 'server-only';
import { env } from '@/lib/env';
import { createOutboxSender } from '@/lib/delivery/outbox-sender';
import { createPostmarkSender } from '@/lib/delivery/postmark-sender';
import type { Channel, Sender } from '@/lib/delivery/sender';
import { createTwilioSender } from '@/lib/delivery/twilio-sender';

// The wiring: which Sender delivers each channel, picked from env. A channel with no sender
// (null) is not offered to the user. Senders live on globalThis so that `next dev`'s repeated
// module evaluation (one per bundle layer, again on hot reload) does not create a client each time.

type SenderCache = { outbox?: Sender; postmark?: Sender; twilio?: Sender };
const globalForSenders = globalThis as unknown as { latchkeySenders?: SenderCache };
const cache = (globalForSenders.latchkeySenders ??= {});

/** True when messages go to /dev/outbox instead of Postmark and Twilio. */
export function isOutboxActive(): boolean {
  return env.OUTBOX_ENABLED;
}

export function getSender(channel: Channel): Sender | null {
  // VOICE_ENABLED switches the channel off whatever delivers it, so development with the outbox
  // offers the same channels as the deployment it imitates.
  if (channel === 'voice' && !env.VOICE_ENABLED) return null;
  if (isOutboxActive()) return (cache.outbox ??= createOutboxSender());
  switch (channel) {
    case 'email':
      return postmarkConfigured() ? (cache.postmark ??= createPostmark()) : null;
    case 'sms':
      return twilioConfigured() && (env.TWILIO_FROM || env.TWILIO_MESSAGING_SERVICE_SID)
        ? (cache.twilio ??= createTwilio())
        : null;
    case 'voice':
      // A call needs a caller number; a messaging service only sends SMS.
      return twilioConfigured() && env.TWILIO_FROM ? (cache.twilio ??= createTwilio()) : null;
  }
}

function postmarkConfigured() {
  return !!(env.POSTMARK_SERVER_TOKEN && env.POSTMARK_FROM);
}

function twilioConfigured() {
  return !!(env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN);
}

function createPostmark() {
  return createPostmarkSender({
    serverToken: env.POSTMARK_SERVER_TOKEN!,
    from: env.POSTMARK_FROM!,
    messageStream: env.POSTMARK_MESSAGE_STREAM,
    apiHost: env.POSTMARK_API_HOST,
    timeoutMs: env.DELIVERY_TIMEOUT_MS,
  });
}

function createTwilio() {
  return createTwilioSender({
    accountSid: env.TWILIO_ACCOUNT_SID!,
    authToken: env.TWILIO_AUTH_TOKEN!,
    from: env.TWILIO_FROM,
    messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
    apiBaseUrl: env.TWILIO_API_BASE_URL,
    timeoutMs: env.DELIVERY_TIMEOUT_MS,
  });
}
