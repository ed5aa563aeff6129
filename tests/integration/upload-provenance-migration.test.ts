import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseBeforeMigration } from '../support/database-before-migration';

// The migration that gives a user the upload that created it (decision 0029) reads that from the
// user's `user.created` event, the only record of it that every earlier version wrote.

let database: Awaited<ReturnType<typeof databaseBeforeMigration>>;

beforeAll(async () => {
  database = await databaseBeforeMigration('20261204191042_user_upload_provenance');
});
afterAll(async () => {
  await database?.stop();
});

async function user(id: string, created?: Record<string, unknown>) {
  await database.client.query(
    `INSERT INTO "User" (id, username, "usernameKey", email, "passwordHash", "updatedAt")
     VALUES ($1, $1, $1, $1 || '@example.test', 'x', now())`,
    [id],
  );
  if (created)
    await database.client.query(
      `INSERT INTO "AuditEvent" (id, type, "userId", detail) VALUES ($1 || 'a', 'user.created', $1, $2)`,
      [id, JSON.stringify(created)],
    );
}

describe('the migration of decision 0029', () => {
  it('CSV-03 names the upload that created each imported user, and no upload for anyone else', async () => {
    await user('seeded');
    await user('by-admin', { actorId: 'admin-1', role: 'user' });
    await user('imported', { via: 'upload', uploadId: 'upload-1', actorId: 'admin-1' });
    // Updated by an upload, created by an admin: provenance stays with the creation.
    await user('updated', { actorId: 'admin-1' });
    await database.client.query(
      `INSERT INTO "AuditEvent" (id, type, "userId", detail) VALUES ('u-upd', 'user.updated', 'updated', $1)`,
      [JSON.stringify({ via: 'upload', uploadId: 'upload-2', fields: ['email'] })],
    );
    await database.client.query(
      `INSERT INTO "Invitation" (id, "userId", "uploadId") VALUES ('legacy', 'imported', 'upload-1')`,
    );

    await database.migrate();

    const users = await database.client.query<{ id: string; uploadId: string | null }>(
      `SELECT id, "uploadId" FROM "User"`,
    );
    expect(Object.fromEntries(users.rows.map((r) => [r.id, r.uploadId]))).toEqual({
      seeded: null,
      'by-admin': null,
      imported: 'upload-1',
      updated: null,
    });
    // Rows an earlier import wrote stay: they still count as pending.
    expect(
      (await database.client.query(`SELECT id FROM "Invitation"`)).rows.map((r) => r.id),
    ).toEqual(['legacy']);
  });
});
