import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { ClassifiedRow, ExistingUser } from './validate-upload';

// Writes one batch of valid rows: new users with a pending invitation and a `user.created`
// event, in one multi-row statement (unnest of column arrays: one parameter per column whatever
// the batch size); and, when the admin chose "update", the changed existing users.

type Tx = Prisma.TransactionClient;

export type ContactChange = { userId: string; username: string; oldEmail: string; newEmail: string; phoneChanged: boolean; emailChanged: boolean };

export type BatchOutcome = { created: number; updated: number; skipped: number; failed: number; createdIds: string[]; contactChanges: ContactChange[] };

export async function writeBatch(tx: Tx, rows: ClassifiedRow[], options: { uploadId: string; actorId: string; existingMode: 'skip' | 'update'; passwordHash: string }): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { created: 0, updated: 0, skipped: 0, failed: 0, createdIds: [], contactChanges: [] };
  const fresh = rows.filter((r) => !r.existing);
  if (fresh.length) {
    const detail = JSON.stringify({ via: 'upload', uploadId: options.uploadId, actorId: options.actorId });
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      WITH input AS (
        SELECT * FROM unnest(${fresh.map((r) => r.username)}::text[], ${fresh.map((r) => r.usernameKey)}::text[],
          ${fresh.map((r) => r.name)}::text[], ${fresh.map((r) => r.email)}::text[], ${fresh.map((r) => r.phone)}::text[],
          ${fresh.map((r) => r.role)}::text[], ${fresh.map((r) => r.twoFactor)}::boolean[])
          AS t(username, "usernameKey", name, email, phone, role, "twoFactor")
      ), inserted AS (
        INSERT INTO "User" (id, username, "usernameKey", name, email, phone, "passwordHash", role, "twoFactor", "updatedAt")
        SELECT gen_random_uuid()::text, username, "usernameKey", name, email, phone, ${options.passwordHash}, role::"Role", "twoFactor", now() FROM input
        -- Someone created the same username since the batch was checked: that row fails, not the batch.
        ON CONFLICT ("usernameKey") DO NOTHING
        RETURNING id
      ), invited AS (
        INSERT INTO "Invitation" (id, "userId", "uploadId") SELECT gen_random_uuid()::text, id, ${options.uploadId} FROM inserted
      ), audited AS (
        INSERT INTO "AuditEvent" (id, type, "userId", detail) SELECT gen_random_uuid()::text, 'user.created', id, ${detail}::jsonb FROM inserted
      )
      SELECT id FROM inserted`;
    outcome.created = inserted.length;
    outcome.failed += fresh.length - inserted.length;
    outcome.createdIds = inserted.map((r) => r.id);
  }

  const existing = rows.filter((r): r is ClassifiedRow & { existing: ExistingUser } => !!r.existing);
  if (options.existingMode === 'skip') {
    outcome.skipped += existing.length;
    return outcome;
  }
  const changed = existing.filter((r) => differs(r, r.existing));
  outcome.skipped += existing.length - changed.length;
  if (!changed.length) return outcome;
  const { count } = { count: await tx.$executeRaw`
    UPDATE "User" u SET name = v.name, email = v.email, phone = v.phone, role = v.role::"Role", "twoFactor" = v."twoFactor", "updatedAt" = now(),
      -- A new phone or address is a new authenticator: unverified until a code round-trips (OTP-10).
      "phoneVerifiedAt" = CASE WHEN u.phone IS DISTINCT FROM v.phone THEN NULL ELSE u."phoneVerifiedAt" END,
      "emailVerified" = CASE WHEN lower(u.email) <> lower(v.email) THEN NULL ELSE u."emailVerified" END
    FROM unnest(${changed.map((r) => r.existing.id)}::text[], ${changed.map((r) => r.name)}::text[], ${changed.map((r) => r.email)}::text[],
      ${changed.map((r) => r.phone)}::text[], ${changed.map((r) => r.role)}::text[], ${changed.map((r) => r.twoFactor)}::boolean[])
      AS v(id, name, email, phone, role, "twoFactor")
    WHERE u.id = v.id` };
  outcome.updated = count;
  outcome.failed += changed.length - count;
  outcome.contactChanges = changed
    .map((r) => ({
      userId: r.existing.id,
      username: r.username,
      oldEmail: r.existing.email,
      newEmail: r.email,
      phoneChanged: r.phone !== r.existing.phone,
      emailChanged: r.emailKey !== r.existing.email.toLowerCase(),
    }))
    .filter((c) => c.phoneChanged || c.emailChanged);
  await tx.auditEvent.createMany({
    data: changed.map((r) => ({ type: 'user.updated', userId: r.existing.id, detail: { via: 'upload', uploadId: options.uploadId, actorId: options.actorId, fields: changedFields(r, r.existing) } })),
  });
  return outcome;
}

function changedFields(row: ClassifiedRow, user: ExistingUser): string[] {
  const fields: string[] = [];
  if (row.name !== user.name) fields.push('name');
  if (row.email !== user.email) fields.push('email');
  if (row.phone !== user.phone) fields.push('phone');
  if (row.role !== user.role) fields.push('role');
  if (row.twoFactor !== user.twoFactor) fields.push('two_factor');
  return fields;
}

const differs = (row: ClassifiedRow, user: ExistingUser) => changedFields(row, user).length > 0;
