import 'server-only';
import { db } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { ExistingUser, UserLookup, ValidationResult } from './validate-upload';
import type { UploadProblem } from './validate-row';

// The User Upload's rows in PostgreSQL: the upload record, its staged chunks, and the look-ups
// validation needs. Domain rules live in user-upload.ts; this file only reads and writes.

/** Largest chunk one request may carry: under Vercel's 4.5 MB body cap with room to spare. */
export const CHUNK_BYTES = 1024 * 1024;

/** Receiving uploads untouched this long are abandoned (a closed tab) and swept. */
const ABANDONED_MS = 24 * 3600 * 1000;

export async function createUploadRecord(input: { fileName: string; uploadedById: string; now?: Date }): Promise<string> {
  const now = input.now ?? new Date();
  await db.userUpload.deleteMany({ where: { status: 'receiving', updatedAt: { lt: new Date(now.getTime() - ABANDONED_MS) } } });
  const upload = await db.userUpload.create({ data: { fileName: input.fileName, uploadedById: input.uploadedById, status: 'receiving' } });
  return upload.id;
}

export type AppendOutcome = 'ok' | 'not-found' | 'too-large' | 'out-of-order';

/**
 * Stores chunk `index` of a receiving upload. Chunks must come in order (0, 1, 2 …) and the
 * running total must stay within `maxBytes`; both are checked in the statement that counts the
 * bytes, so two racing requests cannot slip past either check.
 */
export async function appendChunk(input: { uploadId: string; uploadedById: string; index: number; bytes: Uint8Array; maxBytes: number }): Promise<AppendOutcome> {
  return db.$transaction(async (tx) => {
    const upload = await tx.userUpload.findFirst({ where: { id: input.uploadId, uploadedById: input.uploadedById, status: 'receiving' }, select: { size: true } });
    if (!upload) return 'not-found';
    const chunks = await tx.userUploadChunk.count({ where: { uploadId: input.uploadId } });
    if (chunks !== input.index) return 'out-of-order';
    const { count } = await tx.userUpload.updateMany({
      where: { id: input.uploadId, status: 'receiving', size: { lte: input.maxBytes - input.bytes.byteLength } },
      data: { size: { increment: input.bytes.byteLength } },
    });
    if (count !== 1) return 'too-large';
    await tx.userUploadChunk.create({ data: { uploadId: input.uploadId, index: input.index, bytes: Buffer.from(input.bytes) } });
    return 'ok';
  });
}

/** The database or an open transaction (an import that must see and do everything inside one). */
export type DbClient = Pick<typeof db, 'userUploadChunk' | '$queryRaw'>;

/** The staged file, one chunk at a time, in order. */
export async function* readChunks(uploadId: string, client: DbClient = db): AsyncGenerator<Uint8Array> {
  for (let index = 0; ; index++) {
    const chunk = await client.userUploadChunk.findUnique({ where: { uploadId_index: { uploadId, index } }, select: { bytes: true } });
    if (!chunk) return;
    yield chunk.bytes;
  }
}

export async function deleteUpload(uploadId: string): Promise<void> {
  await db.userUpload.deleteMany({ where: { id: uploadId } });
}

export async function deleteChunks(uploadId: string): Promise<void> {
  await db.userUploadChunk.deleteMany({ where: { uploadId } });
}

export async function getUploadRecord(uploadId: string) {
  return db.userUpload.findUnique({ where: { id: uploadId }, include: { uploadedBy: { select: { username: true } } } });
}

export type UploadRecord = NonNullable<Awaited<ReturnType<typeof getUploadRecord>>>;

export async function saveValidation(uploadId: string, input: { checksum: string; result: ValidationResult }): Promise<void> {
  const { problems, ...counts } = input.result;
  await db.userUpload.update({
    where: { id: uploadId },
    data: { ...counts, checksum: input.checksum, status: 'validated', problems: problems as unknown as Prisma.InputJsonValue, progressRows: counts.rowsRead },
  });
}

export async function setProgress(uploadId: string, rows: number): Promise<void> {
  await db.userUpload.update({ where: { id: uploadId }, data: { progressRows: rows } });
}

/** Moves a validated upload to `importing`; false when it was not validated (or already taken). */
export async function claimForImport(uploadId: string, modes: { allOrNothing: boolean; existingMode: 'skip' | 'update' }): Promise<boolean> {
  const { count } = await db.userUpload.updateMany({ where: { id: uploadId, status: 'validated' }, data: { status: 'importing', progressRows: 0, ...modes } });
  return count === 1;
}

export async function finishImportRecord(uploadId: string, data: Prisma.UserUploadUpdateInput): Promise<void> {
  await db.userUpload.update({ where: { id: uploadId }, data });
}

export async function listUploadRecords(options: { take: number; skip: number }) {
  const [rows, total] = await Promise.all([
    db.userUpload.findMany({
      where: { status: { not: 'receiving' } },
      orderBy: { createdAt: 'desc' },
      take: options.take,
      skip: options.skip,
      omit: { problems: true },
      include: { uploadedBy: { select: { username: true } } },
    }),
    db.userUpload.count({ where: { status: { not: 'receiving' } } }),
  ]);
  return { rows, total };
}

export function storedProblems(record: { problems: Prisma.JsonValue }): UploadProblem[] {
  return Array.isArray(record.problems) ? (record.problems as unknown as UploadProblem[]) : [];
}

/** The database side of the duplicate checks: one query per batch. */
export const lookupUsers = (client: DbClient = db): UserLookup => async ({ usernameKeys, emailKeys }) => {
  // lower(email) has no index: one scan per batch of 1,000 rows, not one per row.
  const rows = await client.$queryRaw<(ExistingUser & { emailKey: string })[]>`
    SELECT id, "usernameKey", email, phone, name, role::text AS role, "twoFactor", lower(email) AS "emailKey"
    FROM "User"
    WHERE "usernameKey" = ANY(${usernameKeys}::text[]) OR lower(email) = ANY(${emailKeys}::text[])`;
  const byUsername = new Map<string, ExistingUser>();
  const byEmail = new Map<string, string[]>();
  for (const { emailKey, ...user } of rows) {
    byUsername.set(user.usernameKey, user);
    byEmail.set(emailKey, [...(byEmail.get(emailKey) ?? []), user.usernameKey]);
  }
  return { byUsername, byEmail };
};
