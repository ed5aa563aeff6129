import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeCodeMessage } from '@/lib/challenges/code-message';
import { createPostmarkSender } from '@/lib/delivery/postmark-sender';
import { DeliveryError, type Sender } from '@/lib/delivery/sender';
import { withEmailParts } from '@/lib/email/email-parts';
import { deviceRemovedNotice } from '@/lib/notices/device-removed-notice';
import { invitationNotice } from '@/lib/notices/invitation-notice';
import { sendNotice } from '@/lib/notices/send-notice';
import { startFakePostmark, type FakePostmark } from '../support/fake-postmark';

// The real Postmark adapter (and the real postmark SDK) against a local server that checks each
// request's shape. Only the HTTP API is replaced.

const TIMEOUT_MS = 600;
let fake: FakePostmark;
let sender: Sender;

const email = (to = 'ada@example.com') =>
  withEmailParts(
    composeCodeMessage({
      channel: 'email',
      to,
      code: '012345',
      ttlSeconds: 45,
      origin: 'https://login.example.com',
    }),
  );

beforeAll(async () => {
  fake = await startFakePostmark();
  sender = createPostmarkSender({
    serverToken: fake.token,
    from: 'Latchkey <login@latchkey.test>',
    messageStream: 'outbound',
    apiHost: fake.host,
    timeoutMs: TIMEOUT_MS,
  });
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

describe('Postmark sender', () => {
  it("OTP-12 every request matches Postmark's POST /email shape", async () => {
    await sender.send(await email());
    await sender.send(await email('grace+2fa@example.org'));

    expect(fake.requests).toHaveLength(2);
    for (const request of fake.requests) {
      expect(request.violations).toEqual([]);
      expect(request.conforms).toBe(true);
      expect(request.status).toBe(200);
    }
    expect(fake.requests[0]!.body).toEqual({
      From: 'Latchkey <login@latchkey.test>',
      To: 'ada@example.com',
      Subject: 'Your Latchkey security code',
      TextBody: expect.stringContaining('012345'),
      HtmlBody: expect.stringMatching(/^<!DOCTYPE html.*>012345<\/p>/s),
      MessageStream: 'outbound',
    });
  });

  it('OTP-12 the fake refuses what Postmark refuses (so a passing shape check means something)', async () => {
    const post = (headers: Record<string, string>, body: object) =>
      fetch(`http://${fake.host}/email`, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const valid = {
      From: 'a@latchkey.test',
      To: 'b@example.com',
      Subject: 'Hi',
      TextBody: 'Hello',
      HtmlBody: '<p>Hello</p>',
    };

    const wrongToken = await post({ 'X-Postmark-Server-Token': 'nope' }, valid);
    expect(wrongToken.status).toBe(401);
    expect(await wrongToken.json()).toMatchObject({ ErrorCode: 10 });

    const unknownField = await post(
      { 'X-Postmark-Server-Token': fake.token },
      { ...valid, Body: 'typo' },
    );
    expect(unknownField.status).toBe(422);
    expect(await unknownField.json()).toMatchObject({ ErrorCode: 300 });

    const noBody = await post(
      { 'X-Postmark-Server-Token': fake.token },
      { From: valid.From, To: valid.To, Subject: 'Hi' },
    );
    expect(noBody.status).toBe(422);
    const textOnly = await post(
      { 'X-Postmark-Server-Token': fake.token },
      { ...valid, HtmlBody: undefined },
    );
    expect(textOnly.status).toBe(422);
    expect(fake.requests.map((r) => r.conforms)).toEqual([false, false, false, false]);
    expect(fake.requests[1]!.violations).toContain('Body: unknown field');
    expect(fake.requests[3]!.violations).toEqual([
      'HtmlBody: every Latchkey email has a text and an HTML part',
    ]);
  });

  it('AV-02 a Postmark 5xx rejects with a retryable DeliveryError', async () => {
    fake.failNext({ status: 500, body: { ErrorCode: 0, Message: 'Internal server error' } });
    const { error } = await rejection(sender.send(await email()));
    expect(error.retryable).toBe(true);
    expect(error.channel).toBe('email');

    fake.failNext({ status: 503 });
    expect((await rejection(sender.send(await email()))).error.retryable).toBe(true);
  });

  it('AV-02 a Postmark response slower than the timeout rejects quickly with a retryable DeliveryError', async () => {
    fake.failNext({ delayMs: 10_000 });
    const { error, ms } = await rejection(sender.send(await email()));
    expect(error.retryable).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1500);
  });

  it('AV-02 an inactive or invalid recipient rejects with retryable false', async () => {
    fake.failNext({
      status: 422,
      body: {
        ErrorCode: 406,
        Message:
          'You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ada@example.com. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.',
      },
    });
    expect((await rejection(sender.send(await email()))).error.retryable).toBe(false);

    fake.failNext({
      status: 422,
      body: { ErrorCode: 300, Message: "Invalid 'To' address: 'not-an-address'." },
    });
    expect((await rejection(sender.send(await email('not-an-address')))).error.retryable).toBe(
      false,
    );
  });

  it('refuses a non-email message without calling Postmark', async () => {
    const sms = composeCodeMessage({
      channel: 'sms',
      to: '+15005550006',
      code: '123456',
      ttlSeconds: 45,
      origin: 'https://x.test',
    });
    expect((await rejection(sender.send(sms))).error.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  it('an email without its HTML part is refused before Postmark is called', async () => {
    const textOnly = { ...(await email()), html: undefined };
    await expect(sender.send(textOnly)).rejects.toThrow(TypeError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('notices through sendNotice reach Postmark with both parts, user text escaped in the HTML', () => {
  const at = new Date('2026-12-02T18:40:00Z');
  const origin = 'https://login.example.com';
  const markup = '<img src=x onerror=alert(1)> & "Bob\'s" <script>alert(2)</script>';

  it('TD-07 CSV-03 a device name and an uploaded name are text in HtmlBody and as typed in TextBody', async () => {
    const deps = { senderFor: () => sender, audit: async () => expect.unreachable() };
    const messages = [
      deviceRemovedNotice({
        to: 'ada@example.com',
        deviceNames: [markup],
        by: 'self',
        at,
        ip: null,
        origin,
      }),
      invitationNotice({
        to: 'ada@example.com',
        username: 'ada',
        name: markup,
        link: `${origin}/i?t=x`,
        expiresAt: at,
      }),
    ];
    for (const message of messages)
      expect(await sendNotice(deps, { message, kind: 'device-removed', userId: null })).toEqual({
        sent: true,
      });

    expect(fake.requests).toHaveLength(2);
    for (const request of fake.requests) {
      expect(request.violations).toEqual([]);
      const body = request.body as { TextBody: string; HtmlBody: string };
      expect(body.TextBody).toContain(markup);
      expect(body.HtmlBody).not.toContain('<img');
      expect(body.HtmlBody).not.toContain('<script');
      expect(body.HtmlBody).toContain(
        '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&#x27;s&quot; &lt;script&gt;alert(2)&lt;/script&gt;',
      );
    }
  });
});
