import 'server-only';
import { db } from '@/lib/db';
import type { Channel, OutgoingMessage, Sender } from '@/lib/delivery/sender';

// The development outbox: every channel's messages land in the database instead of leaving the
// machine, and /dev/outbox shows them. Only wired in when OUTBOX_ENABLED (never by default in
// production): it keeps the code readable, which is the point in development and tests.

export type OutboxEntry = {
  id: string;
  channel: Channel;
  to: string;
  subject: string | null;
  body: string;
  /** The HTML part of an email (null for SMS, voice, and emails stored before it existed). */
  html: string | null;
  code: string | null;
  /** ISO 8601. */
  sentAt: string;
};

export function createOutboxSender(): Sender {
  return {
    async send(message: OutgoingMessage) {
      await db.outboxMessage.create({
        data: {
          channel: message.channel,
          to: message.to,
          subject: message.subject,
          body: message.text,
          html: message.html ?? null,
          code: message.code ?? null,
        },
      });
    },
  };
}

/** The newest `limit` messages, newest first. */
export async function listOutbox(limit = 100): Promise<OutboxEntry[]> {
  const rows = await db.outboxMessage.findMany({
    // id breaks ties between messages written in the same millisecond.
    orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
    take: Math.max(1, Math.min(limit, 1000)),
  });
  return rows.map((row) => ({
    id: row.id,
    channel: row.channel as Channel,
    to: row.to,
    subject: row.subject,
    body: row.body,
    html: row.html,
    code: row.code,
    sentAt: row.sentAt.toISOString(),
  }));
}
