import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { composeCodeMessage } from '@/lib/challenges/code-message';
import { createOutboxSender, listOutbox } from '@/lib/delivery/outbox-sender';
import { withEmailParts } from '@/lib/email/email-parts';

// The development outbox against the migrated test database (global setup). Other test files
// write to the same table, so each test looks only at its own recipients.

describe('development outbox', () => {
  it('keeps every channel’s message, code included, and lists them newest first', async () => {
    const run = randomUUID();
    const origin = 'http://localhost:3000';
    const sender = createOutboxSender();
    const email = await withEmailParts(
      composeCodeMessage({
        channel: 'email',
        to: `${run}@example.com`,
        code: '000123',
        ttlSeconds: 45,
        origin,
      }),
    );
    const sms = composeCodeMessage({
      channel: 'sms',
      to: `+1415${run.slice(0, 4)}`,
      code: '456789',
      ttlSeconds: 45,
      origin,
    });
    const voice = composeCodeMessage({
      channel: 'voice',
      to: `+1415${run.slice(4, 8)}`,
      code: '999000',
      ttlSeconds: 45,
      origin,
    });
    const before = Date.now();
    await sender.send(email);
    await sender.send(sms);
    await sender.send(voice);

    const mine = (await listOutbox()).filter((m) => [email.to, sms.to, voice.to].includes(m.to));
    expect(mine.map((m) => m.channel)).toEqual(['voice', 'sms', 'email']);
    expect(mine[2]).toEqual({
      id: expect.any(String),
      channel: 'email',
      to: email.to,
      subject: 'Your Latchkey security code',
      body: email.text,
      html: email.html,
      code: '000123', // leading zeros kept
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(email.html).toContain('>000123</p>');
    expect(mine[1]).toMatchObject({ body: sms.text, html: null, code: '456789' });
    expect(Date.parse(mine[0]!.sentAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('honours the limit', async () => {
    const sender = createOutboxSender();
    const to = `${randomUUID()}@example.com`;
    await sender.send({ channel: 'email', to, subject: 'x', text: 'x', code: '222222' });
    const latest = await listOutbox(1);
    expect(latest).toHaveLength(1);
    // Other test files may write in parallel: the one row is ours or newer than ours.
    const ours = (await listOutbox()).find((m) => m.to === to)!;
    expect(Date.parse(latest[0]!.sentAt)).toBeGreaterThanOrEqual(Date.parse(ours.sentAt));
  });
});
