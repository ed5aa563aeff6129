import 'server-only';
// Type only (erased): the SDK's namespace for the request options the http client receives.
import type TwilioRequestClient from 'twilio/lib/base/RequestClient';
import {
  DeliveryError,
  type Channel,
  type OutgoingMessage,
  type Sender,
} from '@/lib/delivery/sender';

// SMS through Twilio Messages, voice through Twilio Calls. The only file that imports the Twilio
// SDK, and only at the first SMS or call: the SDK holds ~8 MB once loaded, which a deployment
// without Twilio, and every process that never sends one, does not need. One client serves both
// channels.

type Twilio = typeof import('twilio');
type TwilioClient = ReturnType<Twilio>;

export type TwilioSenderOptions = {
  accountSid: string;
  authToken: string;
  /** Caller number in E.164; required for voice, and for SMS without a messaging service. */
  from?: string;
  /** MG…: lets Twilio pick the sender number for SMS (and apply its geo and fraud settings). */
  messagingServiceSid?: string;
  /** Base URL of a Twilio-compatible server, e.g. http://127.0.0.1:4010 (tests only). */
  apiBaseUrl?: string;
  /** Abort after this long: a slow provider must not hold the sign-in page (AV-02). */
  timeoutMs: number;
};

/** Twilio's limits for Messages ValidityPeriod, in seconds. */
const VALIDITY_MIN_SECONDS = 1;
const VALIDITY_MAX_SECONDS = 36000;

/**
 * Twilio error codes that say "this number cannot be reached this way": sending again cannot
 * help, the user should pick another channel. 21211 invalid To, 21612 unroutable, 21408 no
 * permission for the region, 21610 recipient opted out (STOP), 21614 not a mobile number.
 */
const UNDELIVERABLE_CODES = new Set([21211, 21612, 21408, 21610, 21614]);

/**
 * Twilio's `edge`/`region` options only rename *.twilio.com hosts, so a local server is reached by
 * rewriting each request's origin. Path, query, auth and body are untouched, so the local server
 * sees exactly what Twilio would.
 */
function rebasedRequestClient(twilio: Twilio, baseUrl: string) {
  return class RebasedRequestClient extends twilio.RequestClient {
    private readonly baseUrl = new URL(baseUrl);
    override request<TData>(options: TwilioRequestClient.RequestOptions<TData>) {
      const uri = new URL(options.uri);
      uri.protocol = this.baseUrl.protocol;
      uri.host = this.baseUrl.host;
      return super.request<TData>({ ...options, uri: uri.href });
    }
  };
}

async function newClient(options: TwilioSenderOptions): Promise<TwilioClient> {
  // A CommonJS module (`export =`): its function is the namespace's default export.
  const { default: twilio } = (await import('twilio')) as unknown as { default: Twilio };
  // `timeout` is the axios request timeout and the https agent's socket timeout, in ms. Auto-retry
  // on 429 stays off (the SDK's default): the caller decides whether to retry or switch channel.
  const clientOptions = { timeout: options.timeoutMs, autoRetry: false };
  const Rebased = options.apiBaseUrl ? rebasedRequestClient(twilio, options.apiBaseUrl) : null;
  return twilio(options.accountSid, options.authToken, {
    ...clientOptions,
    ...(Rebased ? { httpClient: new Rebased(clientOptions) } : {}),
  });
}

export function createTwilioSender(options: TwilioSenderOptions): Sender {
  let loading: Promise<TwilioClient> | undefined;
  // Made once, at the first send; a failed load is tried again by the next send.
  const client = () =>
    (loading ??= newClient(options).catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));

  async function sendSms(message: OutgoingMessage) {
    const sender = options.messagingServiceSid
      ? { messagingServiceSid: options.messagingServiceSid }
      : options.from
        ? { from: options.from }
        : unavailable('sms', 'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is not set');
    // RiskCheck is never set: leaving it out keeps Twilio's SMS pumping protection on (FR-02).
    await (
      await client()
    ).messages.create({
      to: message.to,
      body: message.text,
      ...sender,
      // A code that arrives after it expired is useless and confusing: let Twilio drop it (OTP-11).
      ...(message.validitySeconds === undefined
        ? {}
        : { validityPeriod: clampValidity(message.validitySeconds) }),
    });
  }

  async function sendVoice(message: OutgoingMessage) {
    const from = options.from ?? unavailable('voice', 'TWILIO_FROM is not set');
    await (await client()).calls.create({ to: message.to, from, twiml: voiceTwiml(message.text) });
  }

  return {
    async send(message: OutgoingMessage) {
      if (message.channel === 'email') unavailable('email', 'Twilio does not deliver email');
      try {
        if (message.channel === 'sms') await sendSms(message);
        else await sendVoice(message);
      } catch (error) {
        throw toDeliveryError(message.channel, error);
      }
    },
  };
}

export function clampValidity(seconds: number): number {
  return Math.min(VALIDITY_MAX_SECONDS, Math.max(VALIDITY_MIN_SECONDS, Math.ceil(seconds)));
}

/**
 * The call's script. A short pause first, so the words do not start while the phone is still
 * travelling to the ear. The text is read as given: the caller composes the words (digits
 * separated, said twice).
 */
export function voiceTwiml(text: string): string {
  return `<Response><Pause length="1"/><Say>${escapeXml(text)}</Say></Response>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function unavailable(channel: Channel, reason: string): never {
  throw new DeliveryError(`Twilio cannot deliver ${channel}: ${reason}`, {
    channel,
    retryable: false,
  });
}

function toDeliveryError(channel: Channel, error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  // RestException (and the newer TwilioServiceException) carry Twilio's numeric `code` and the
  // HTTP `status`; axios errors (timeouts, refused connections) carry neither.
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
  const twilioCode = typeof code === 'number' ? code : undefined;
  const what =
    typeof status === 'number'
      ? `HTTP ${status}, code ${twilioCode ?? 'none'}`
      : `no response (${String(code ?? 'network error')})`;
  return new DeliveryError(
    `Twilio did not accept the ${channel === 'sms' ? 'SMS' : 'call'}: ${what}`,
    {
      channel,
      retryable: twilioCode === undefined || !UNDELIVERABLE_CODES.has(twilioCode),
      cause: error,
    },
  );
}
