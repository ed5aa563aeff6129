import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseBeforeMigration } from '../support/database-before-migration';

// The migration that binds links to their address (decision 0019) fills its columns from what a
// running deployment already holds: which accounts still wait for their invitation, and which
// outstanding invitation still goes to the account's current address. Applied here to a database
// of its own that holds the earlier schema and rows of each kind.

let database: Awaited<ReturnType<typeof databaseBeforeMigration>>;
let client: pg.Client;

beforeAll(async () => {
  database = await databaseBeforeMigration('20261202143605_links_end_on_email_change');
  client = database.client;
});
afterAll(async () => {
  await database?.stop();
});

const t = (minutes: number) => new Date(Date.UTC(2026, 10, 1, 12, minutes));

async function user(id: string) {
  await client.query(
    `INSERT INTO "User" (id, username, "usernameKey", email, "passwordHash", "updatedAt")
     VALUES ($1, $1, $1, $1 || '@example.test', 'x', now())`,
    [id],
  );
}
async function invitation(userId: string, fields: { sentAt: Date; usedAt?: Date }) {
  await client.query(
    `INSERT INTO "Invitation" (id, "userId", "tokenHash", "createdAt", "expiresAt", "sentAt", "usedAt")
     VALUES ($1 || 'i', $1, $1 || '-hash', $2, $3, $2, $4)`,
    [userId, fields.sentAt, t(600), fields.usedAt ?? null],
  );
}
async function event(userId: string, type: string, at: Date, detail: unknown = {}) {
  await client.query(
    `INSERT INTO "AuditEvent" (id, type, "userId", detail, "createdAt") VALUES ($1, $2, $3, $4, $5)`,
    [`${userId}-${type}-${at.getTime()}`, type, userId, JSON.stringify(detail), at],
  );
}

describe('the migration of decision 0019', () => {
  it('RC-02 marks only never-used invitees as waiting, and binds an outstanding link to the current address unless the email changed after it was sent', async () => {
    await user('seeded');
    for (const id of ['waiting', 'admin-fixed', 'self-fixed', 'csv-fixed', 'accepted', 'reset']) {
      await user(id);
      await event(id, 'user.created', t(0));
    }
    await invitation('waiting', { sentAt: t(1) });
    await invitation('admin-fixed', { sentAt: t(1) });
    await event('admin-fixed', 'user.updated', t(2), { fields: ['email'] });
    await invitation('self-fixed', { sentAt: t(1) });
    await event('self-fixed', 'contact.changed', t(2), { kind: 'email', by: 'self' });
    await invitation('csv-fixed', { sentAt: t(1) });
    await event('csv-fixed', 'contact.changed', t(2), { via: 'upload', fields: ['email'] });
    await invitation('accepted', { sentAt: t(1), usedAt: t(3) });
    await invitation('reset', { sentAt: t(1) });
    await event('reset', 'password.reset', t(2));
    // A change before the link was sent does not concern it.
    await event('waiting', 'user.updated', t(0), { fields: ['email'] });

    await database.migrate();

    const users = await client.query<{ id: string; invitationPending: boolean }>(
      `SELECT id, "invitationPending" FROM "User" ORDER BY id`,
    );
    expect(Object.fromEntries(users.rows.map((r) => [r.id, r.invitationPending]))).toEqual({
      seeded: false,
      waiting: true,
      'admin-fixed': true,
      'self-fixed': true,
      'csv-fixed': true,
      accepted: false,
      reset: false,
    });
    const links = await client.query<{ userId: string; sentTo: string | null }>(
      `SELECT "userId", "sentTo" FROM "Invitation" ORDER BY "userId"`,
    );
    expect(Object.fromEntries(links.rows.map((r) => [r.userId, r.sentTo]))).toEqual({
      waiting: 'waiting@example.test',
      'admin-fixed': null,
      'self-fixed': null,
      'csv-fixed': null,
      accepted: null,
      reset: 'reset@example.test',
    });
  });
});
