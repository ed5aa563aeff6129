import 'server-only';
import { db } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { uploadPool } from './upload-connection';
import { shortValue, type UploadProblem, type UploadRow } from './validate-row';
import type { ExistingUser, StagedBatch } from './validate-upload';

// The rows of a validated upload as the import will write them (model UserUploadBatch): the dry
// run parses and checks the file once and stages each batch of rows that passed as one jsonb
// document; PostgreSQL reads them back with jsonb_to_recordset. So the checks against the
// database (CSV-02: username taken, email taken) run in SQL over the staged rows, once for the
// preview and again, batch by batch, inside each import transaction, and the import writes with
// a few set-based statements instead of parsing and sending 100,000 rows again.

/**
 * Rows per staged batch; the import handles one or more whole batches per transaction. A batch's
 * JSON (~170 bytes a row) stays under V8's 128 KB large-object size, so each dies young instead
 * of waiting in the old generation for a full collection.
 */
export const STAGED_BATCH_ROWS = 500;

export const EMAIL_TAKEN = 'This email address already belongs to another user.';

/** The database or an open transaction. */
export type SqlClient = Pick<typeof db, '$queryRaw' | '$executeRaw'>;

/**
 * Stages one batch. Two dry runs of the same file (a repeated request) write the same batches,
 * so a batch already there is left as it is.
 */
export async function stageRows(
  uploadId: string,
  index: number,
  batch: StagedBatch,
): Promise<void> {
  // Through `pg`: the document is one big parameter (upload-connection.ts).
  await uploadPool().query(
    `INSERT INTO "UserUploadBatch" ("uploadId", index, "rowCount", rows) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING`,
    [uploadId, index, batch.rowCount, batch.json],
  );
}

export async function listStagedBatches(
  uploadId: string,
): Promise<{ index: number; rowCount: number }[]> {
  return db.userUploadBatch.findMany({
    where: { uploadId },
    select: { index: true, rowCount: true },
    orderBy: { index: 'asc' },
  });
}

/** Staged batches `from`…`to` (inclusive) as a table `s` with UploadRow's columns. */
export const stagedRows = (uploadId: string, from = 0, to = 2 ** 31 - 1) => Prisma.sql`(
  SELECT r.* FROM "UserUploadBatch" b
  CROSS JOIN LATERAL jsonb_to_recordset(b.rows) AS r(row int, username text, "usernameKey" text, name text, email text, "emailKey" text, phone text, role "Role", "twoFactor" boolean)
  WHERE b."uploadId" = ${uploadId} AND b.index BETWEEN ${from} AND ${to}) s`;

// Addresses are compared case-insensitively (index User_email_lower_idx); a row's own user may
// keep its address, anyone else's is a duplicate.
const emailTaken = Prisma.sql`EXISTS (SELECT 1 FROM "User" o WHERE lower(o.email) = s."emailKey" AND o."usernameKey" <> s."usernameKey")`;

export type DatabaseCheck = {
  /** Staged rows whose email belongs to another user: invalid. */
  emailTaken: number;
  /** Staged rows whose username exists, and whose email is free. */
  existing: number;
  /** The first `limit` email problems in row order. */
  problems: UploadProblem[];
};

/** The checks against the database for every staged row of an upload (the dry run, a rejection). */
export async function checkStagedRows(
  uploadId: string,
  options: { limit: number; client?: SqlClient },
): Promise<DatabaseCheck> {
  const client = options.client ?? db;
  const [counts] = await client.$queryRaw<{ emailTaken: number; existing: number }[]>`
    SELECT count(*) FILTER (WHERE taken)::int AS "emailTaken", count(*) FILTER (WHERE existing AND NOT taken)::int AS existing
    FROM (SELECT EXISTS (SELECT 1 FROM "User" u WHERE u."usernameKey" = s."usernameKey") AS existing, ${emailTaken} AS taken
          FROM ${stagedRows(uploadId)}) x`;
  const found = { emailTaken: counts?.emailTaken ?? 0, existing: counts?.existing ?? 0 };
  if (found.emailTaken === 0 || options.limit === 0) return { ...found, problems: [] };
  const rows = await client.$queryRaw<{ row: number; email: string }[]>`
    SELECT s.row, s.email FROM ${stagedRows(uploadId)} WHERE ${emailTaken} ORDER BY s.row LIMIT ${options.limit}`;
  return { ...found, problems: rows.map(emailTakenProblem) };
}

export const emailTakenProblem = (r: { row: number; email: string }): UploadProblem => ({
  row: r.row,
  column: 'email',
  reason: EMAIL_TAKEN,
  value: shortValue(r.email),
});

/** A staged row the import cannot simply insert: its username exists, or its email is taken. */
export type RowNeedingCare = UploadRow & { existing: ExistingUser | null; emailTaken: boolean };

/** The staged rows of batches `from`…`to` whose username exists or whose email is taken, now. */
export async function rowsNeedingCare(
  client: SqlClient,
  uploadId: string,
  from: number,
  to: number,
): Promise<RowNeedingCare[]> {
  return client.$queryRaw<RowNeedingCare[]>`
    SELECT s.row, s.username, s."usernameKey", s.name, s.email, s."emailKey", s.phone, s.role::text AS role, s."twoFactor", t.taken AS "emailTaken",
      CASE WHEN u.id IS NOT NULL THEN json_build_object('id', u.id, 'usernameKey', u."usernameKey", 'email', u.email, 'phone', u.phone,
        'name', u.name, 'role', u.role, 'twoFactor', u."twoFactor") END AS existing
    FROM ${stagedRows(uploadId, from, to)}
    LEFT JOIN "User" u ON u."usernameKey" = s."usernameKey"
    CROSS JOIN LATERAL (SELECT ${emailTaken} AS taken) t
    WHERE u.id IS NOT NULL OR t.taken
    ORDER BY s.row`;
}
