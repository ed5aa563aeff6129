import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';
import { endSignInLinks } from '@/lib/invitations/end-sign-in-links';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import { importTotals } from './import-totals';
import { emailTakenProblem, rowsNeedingCare, stagedRows } from './staged-rows';
import type { UploadProblem } from './validate-row';
import type { ClassifiedRow, ExistingUser } from './validate-upload';

// Writes a run of staged batches inside the caller's transaction: first the rows that need care
// are found (username exists, or the email now belongs to someone else: checked again, the
// database may have changed since the dry run); then every other row becomes a user and a
// `user.created` event, in one statement that reads the staged rows where they are. The user
// carries the upload's id and `invitationPending`: that is its pending invitation, no Invitation
// row is written until the email is sent (decision 0029). When the admin chose "update", the
// changed existing users are updated, and a changed email ends that user's unused invitation and
// reset links (decision 0019).

type Tx = Prisma.TransactionClient;

export type ContactChange = {
  userId: string;
  username: string;
  oldEmail: string;
  newEmail: string;
  phoneChanged: boolean;
  emailChanged: boolean;
};

export type BatchOutcome = {
  created: number;
  updated: number;
  skipped: number;
  /** Rows not saved: email taken (see `problems`), or beaten to the username by another writer. */
  failed: number;
  contactChanges: ContactChange[];
  /** Rows whose username existed when the batch was written. */
  existing: number;
  /** Rows whose email belonged to another user when the batch was written. */
  emailTaken: number;
  problems: UploadProblem[];
};

export type BatchOptions = {
  uploadId: string;
  actorId: string;
  existingMode: 'skip' | 'update';
  passwordHash: string;
  /** Unique to this import; a new user's id is this prefix and the row number (see newIdPrefix). */
  idPrefix: string;
  /** Where reset links live, to end those of users whose email changes. */
  store: ExpiringStore;
};

export async function writeStagedBatches(
  tx: Tx,
  range: { from: number; to: number; rows: number },
  options: BatchOptions,
): Promise<BatchOutcome> {
  const outcome = importTotals();
  const care = await rowsNeedingCare(tx, options.uploadId, range.from, range.to);
  const existing: (ClassifiedRow & { existing: ExistingUser })[] = [];
  for (const row of care) {
    if (row.emailTaken) {
      outcome.emailTaken += 1;
      outcome.failed += 1;
      outcome.problems.push(emailTakenProblem(row));
    } else if (row.existing) {
      existing.push({ ...row, existing: row.existing });
    }
  }
  outcome.existing = existing.length;

  const fresh = range.rows - care.length;
  if (fresh > 0) {
    const detail = JSON.stringify({
      via: 'upload',
      uploadId: options.uploadId,
      actorId: options.actorId,
    });
    // Ids in row order, so the new index entries land side by side instead of all over the
    // indexes.
    // Only the count comes back: nothing needs the new ids in memory (the invitations are found
    // by the upload's id). As 5,000 result rows per run, Prisma's result handling allocated
    // ~20 MB per run; as one comma-separated text the 100,000 ids still held ~7 MB until the
    // import ended (docs/performance.md).
    const [inserted] = await tx.$queryRaw<{ created: number }[]>`
      WITH inserted AS (
        INSERT INTO "User" (id, username, "usernameKey", name, email, phone, "passwordHash", role, "twoFactor", "invitationPending", "uploadId", "updatedAt")
        SELECT ${options.idPrefix} || lpad(s.row::text, 10, '0'), s.username, s."usernameKey", s.name, s.email, s.phone, ${options.passwordHash}, s.role, s."twoFactor", true, ${options.uploadId}, now()
        FROM ${stagedRows(options.uploadId, range.from, range.to)}
        WHERE s.row <> ALL(${care.map((r) => r.row)}::int[])
        ORDER BY s.row
        -- Someone created the same username since the rows were checked: that row fails, not the batch.
        ON CONFLICT ("usernameKey") DO NOTHING
        RETURNING id
      ), audited AS (
        INSERT INTO "AuditEvent" (id, type, "userId", detail) SELECT id || 'a', 'user.created', id, ${detail}::jsonb FROM inserted
      )
      SELECT count(*)::int AS created FROM inserted`;
    outcome.created = inserted?.created ?? 0;
    outcome.failed += fresh - outcome.created;
  }

  if (options.existingMode === 'skip') {
    outcome.skipped += existing.length;
    return outcome;
  }
  const changed = existing.filter((r) => differs(r, r.existing));
  outcome.skipped += existing.length - changed.length;
  if (!changed.length) return outcome;
  const count = await tx.$executeRaw`
    UPDATE "User" u SET name = v.name, email = v.email, phone = v.phone, role = v.role::"Role", "twoFactor" = v."twoFactor", "updatedAt" = now(),
      -- A new phone or address is a new authenticator: unverified until a code round-trips (OTP-10).
      "phoneVerifiedAt" = CASE WHEN u.phone IS DISTINCT FROM v.phone THEN NULL ELSE u."phoneVerifiedAt" END,
      "emailVerified" = CASE WHEN lower(u.email) <> lower(v.email) THEN NULL ELSE u."emailVerified" END
    FROM unnest(${changed.map((r) => r.existing.id)}::text[], ${changed.map((r) => r.name)}::text[], ${changed.map((r) => r.email)}::text[],
      ${changed.map((r) => r.phone)}::text[], ${changed.map((r) => r.role)}::text[], ${changed.map((r) => r.twoFactor)}::boolean[])
      AS v(id, name, email, phone, role, "twoFactor")
    WHERE u.id = v.id`;
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
  // In this transaction: the links sent to the old addresses end as the new ones are saved.
  await endSignInLinks(tx, options.store, {
    userIds: outcome.contactChanges.filter((c) => c.emailChanged).map((c) => c.userId),
    now: new Date(),
    uploadId: options.uploadId,
  });
  await tx.auditEvent.createMany({
    data: changed.map((r) => ({
      type: 'user.updated',
      userId: r.existing.id,
      detail: {
        via: 'upload',
        uploadId: options.uploadId,
        actorId: options.actorId,
        fields: changedFields(r, r.existing),
      },
    })),
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
