import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeCodeMessage } from '@/lib/challenges/code-message';
import { DeliveryError, type Sender } from '@/lib/delivery/sender';
import { createTwilioSender } from '@/lib/delivery/twilio-sender';
import {
  startFakeTwilio,
  TWILIO_SCHEMA_PATH,
  TWILIO_TEST_NUMBER_ERRORS,
  type FakeTwilio,
} from '../support/fake-twilio';

// The real Twilio adapter (and the real twilio SDK) against a local server that validates each
// request against Twilio's OpenAPI request schemas. Only the HTTP API is replaced.

const TIMEOUT_MS = 600;
const FROM = '+15005550006';
const MESSAGING_SERVICE_SID = `MG${'0123456789abcdef'.repeat(2)}`;
let fake: FakeTwilio;
let sender: Sender;
let serviceSender: Sender;

const message = (channel: 'sms' | 'voice', to = '+14155550123', ttlSeconds = 45) =>
  composeCodeMessage({
    channel,
    to,
    code: '012345',
    ttlSeconds,
    origin: 'https://login.example.com',
  });

beforeAll(async () => {
  fake = await startFakeTwilio();
  const common = {
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    apiBaseUrl: fake.baseUrl,
    timeoutMs: TIMEOUT_MS,
  };
  sender = createTwilioSender({ ...common, from: FROM });
  serviceSender = createTwilioSender({ ...common, messagingServiceSid: MESSAGING_SERVICE_SID });
});
afterAll(() => fake.close());
afterEach(() => {
  fake.requests.length = 0;
});

async function rejection(promise: Promise<unknown>): Promise<{ error: DeliveryError; ms: number }> {
  const started = performance.now();
  const error = await promise.then(
    () => expect.unreachable('the send should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return { error: error as DeliveryError, ms: performance.now() - started };
}

describe('Twilio sender', () => {
  it("OTP-12 every SMS and call request matches Twilio's CreateMessage / CreateCall schema", async (ctx) => {
    await sender.send(message('sms'));
    await serviceSender.send(message('sms'));
    await sender.send(message('voice'));

    expect(fake.requests.map((r) => r.resource)).toEqual(['Messages', 'Messages', 'Calls']);
    for (const request of fake.requests) {
      expect(request.violations).toEqual([]);
      expect(request.status).toBe(201);
    }
    ctx.skip(
      !fake.schemaChecked,
      `${TWILIO_SCHEMA_PATH} is absent: Twilio's rules were checked, the OpenAPI schema was not`,
    );
    expect(fake.requests.every((r) => r.schemaChecked)).toBe(true);
  });

  it('OTP-12 the fake refuses what the schema refuses (so a passing shape check means something)', async (ctx) => {
    ctx.skip(!fake.schemaChecked, `${TWILIO_SCHEMA_PATH} is absent`);
    const response = await fetch(
      `${fake.baseUrl}/2010-04-01/Accounts/${fake.accountSid}/Messages.json`,
      {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          To: '+14155550123',
          From: FROM,
          Body: 'x',
          ValidityPeriode: '45',
          RiskCheck: 'off',
        }),
      },
    );
    expect(response.status).toBe(400);
    const violations = fake.requests[0]!.violations.join('\n');
    expect(violations).toContain('ValidityPeriode');
    expect(violations).toContain('RiskCheck');
  });

  it('OTP-11 an SMS carries ValidityPeriod equal to the code lifetime', async () => {
    await sender.send(message('sms', '+14155550123', 45));
    await serviceSender.send(message('sms', '+14155550123', 600));
    expect(fake.requests.map((r) => r.form.ValidityPeriod)).toEqual(['45', '600']);
  });

  it("OTP-11 ValidityPeriod is clamped to Twilio's 1..36000 seconds", async () => {
    const sms = message('sms');
    await sender.send({ ...sms, validitySeconds: 0.2 });
    await sender.send({ ...sms, validitySeconds: 86_400 });
    expect(fake.requests.map((r) => r.form.ValidityPeriod)).toEqual(['1', '36000']);
    expect(fake.requests.every((r) => r.violations.length === 0)).toBe(true);
  });

  it('FR-02 no request asks Twilio to skip its fraud risk check (RiskCheck=disable)', async () => {
    await sender.send(message('sms'));
    await serviceSender.send(message('sms'));
    await sender.send(message('voice'));
    expect(fake.requests).toHaveLength(3);
    for (const request of fake.requests) {
      expect(request.form.RiskCheck).not.toBe('disable');
      expect(request.rawBody).not.toMatch(/RiskCheck=disable/i);
    }
  });

  it('SMS: the body is the composed text, sent from the number or the messaging service', async () => {
    const sms = message('sms');
    await sender.send(sms);
    await serviceSender.send(sms);
    expect(fake.requests[0]!.form).toMatchObject({
      To: '+14155550123',
      From: FROM,
      Body: sms.text,
    });
    expect(fake.requests[1]!.form).toMatchObject({
      MessagingServiceSid: MESSAGING_SERVICE_SID,
      Body: sms.text,
    });
    expect(fake.requests[1]!.form.From).toBeUndefined();
  });

  it('voice: the call reads the composed words from inline TwiML, XML-escaped', async () => {
    const call = message('voice');
    await sender.send(call);
    await sender.send({ ...call, text: 'Tom & Jerry <Hangup/> "quoted"' });
    expect(fake.requests[0]!.form).toMatchObject({ To: '+14155550123', From: FROM });
    expect(fake.requests[0]!.form.Twiml).toBe(
      `<Response><Pause length="1"/><Say>${call.text}</Say></Response>`,
    );
    expect(fake.requests[1]!.form.Twiml).toContain(
      '<Say>Tom &#38; Jerry &#60;Hangup/&#62; &#34;quoted&#34;</Say>',
    );
  });

  it('AV-02 a Twilio 5xx rejects with a retryable DeliveryError', async () => {
    fake.failNext({ status: 500 });
    const sms = await rejection(sender.send(message('sms')));
    expect(sms.error).toMatchObject({ channel: 'sms', retryable: true });

    fake.failNext({
      status: 503,
      body: { code: 20503, message: 'Service unavailable', status: 503 },
    });
    const call = await rejection(sender.send(message('voice')));
    expect(call.error).toMatchObject({ channel: 'voice', retryable: true });
  });

  it('AV-02 a Twilio response slower than the timeout rejects quickly with a retryable DeliveryError', async () => {
    fake.failNext({ delayMs: 10_000 });
    const { error, ms } = await rejection(sender.send(message('sms')));
    expect(error.retryable).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1500);
  });

  it("AV-02 a bad number (Twilio's test numbers) rejects with retryable false", async () => {
    for (const [to, { code }] of Object.entries(TWILIO_TEST_NUMBER_ERRORS)) {
      const { error } = await rejection(sender.send(message('sms', to)));
      expect(error.retryable, `${to} → ${code}`).toBe(false);
      expect(error.cause).toMatchObject({ code, status: 400 });
    }
    const call = await rejection(sender.send(message('voice', '+15005550001')));
    expect(call.error.retryable).toBe(false);
  });

  it('voice needs a caller number: a messaging service alone cannot place calls', async () => {
    const { error } = await rejection(serviceSender.send(message('voice')));
    expect(error.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });
});
