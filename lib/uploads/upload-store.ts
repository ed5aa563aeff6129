import 'server-only';
import { db } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import { inUploadTransaction, uploadPool } from './upload-connection';
import type { FileInfo } from './read-upload';
import { pieceStarts, piecesInRange, type RandomAccessFile } from './random-access-file';
import { FILE_CHANGED, UploadRefused } from './upload-refused';
import type { ValidationResult } from './validate-upload';
import type { UploadProblem } from './validate-row';

// The User Upload's rows in PostgreSQL: the upload record and the file's chunks (the staged rows
// are in staged-rows.ts). Domain rules live in receive-upload.ts and import-upload.ts; this file
// only reads and writes.

/** Largest chunk one request may carry: under Vercel's 4.5 MB body cap with room to spare. */
export const CHUNK_BYTES = 1024 * 1024;

/** Receiving uploads untouched this long are abandoned (a closed tab) and swept. */
const ABANDONED_MS = 24 * 3600 * 1000;

export async function createUploadRecord(input: {
  fileName: string;
  uploadedById: string;
  now?: Date;
}): Promise<string> {
  const now = input.now ?? new Date();
  await db.userUpload.deleteMany({
    where: { status: 'receiving', updatedAt: { lt: new Date(now.getTime() - ABANDONED_MS) } },
  });
  const upload = await db.userUpload.create({
    data: { fileName: input.fileName, uploadedById: input.uploadedById, status: 'receiving' },
  });
  return upload.id;
}

export type AppendOutcome = 'ok' | 'not-found' | 'too-large' | 'out-of-order';

/**
 * Stores chunk `index` of a receiving upload. Chunks must come in order (0, 1, 2 …) and the
 * running total must stay within `maxBytes`; the size check is in the statement that counts the
 * bytes, so two racing requests cannot slip past it (and the primary key refuses a second chunk
 * with the same index). Through `pg` (upload-connection.ts): the bytes go over as they are.
 */
export async function appendChunk(input: {
  uploadId: string;
  uploadedById: string;
  index: number;
  bytes: Uint8Array;
  maxBytes: number;
}): Promise<AppendOutcome> {
  return inUploadTransaction(async (client) => {
    const upload = await client.query(
      `SELECT 1 FROM "UserUpload" WHERE id = $1 AND "uploadedById" = $2 AND status = 'receiving'`,
      [input.uploadId, input.uploadedById],
    );
    if (!upload.rowCount) return 'not-found';
    const chunks = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM "UserUploadChunk" WHERE "uploadId" = $1`,
      [input.uploadId],
    );
    if (chunks.rows[0]!.count !== input.index) return 'out-of-order';
    const grown = await client.query(
      `UPDATE "UserUpload" SET size = size + $2, "updatedAt" = now() WHERE id = $1 AND status = 'receiving' AND size <= $3`,
      [input.uploadId, input.bytes.byteLength, input.maxBytes - input.bytes.byteLength],
    );
    if (grown.rowCount !== 1) return 'too-large';
    const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
    await client.query(
      `INSERT INTO "UserUploadChunk" ("uploadId", index, bytes) VALUES ($1, $2, $3)`,
      [input.uploadId, input.index, bytes],
    );
    return 'ok';
  });
}

/**
 * Bytes read back per query. `pg` reads bytea as text (hex: two characters per byte): a whole
 * 1 MiB chunk came back as a 2 MiB string, which V8 puts in its large-object space where it
 * stays until the next full collection. A 32 KiB slice is a 64 KiB string, young garbage that
 * dies at the next scavenge. The slices go through `substring`: on a value stored uncompressed (a
 * workbook, already compressed) it reads only the slice; on a compressed one (a CSV's text) the
 * server decompresses from the start up to the slice's end each time. Storing the chunks
 * uncompressed (`SET STORAGE EXTERNAL`) saved ~0.05 s of database CPU on the 7.5 MB bench CSV,
 * within the noise, and was not kept.
 */
const READ_SLICE = 32 * 1024;

/**
 * The uploaded file as it is stored now: its chunks are listed once, and any byte range is then
 * read from them in slices of at most READ_SLICE bytes, when asked. The dry run reads it through
 * once (the checksum, a CSV's parser) and a workbook's zip reads its parts by range, so both see
 * the same chunks. A slice that does not come back whole means the file changed while it was read
 * (a second request for the same open upload): the upload is refused.
 */
export async function uploadFile(uploadId: string): Promise<RandomAccessFile> {
  const { rows: chunks } = await uploadPool().query<{ index: number; size: number }>(
    `SELECT index, octet_length(bytes) AS size FROM "UserUploadChunk" WHERE "uploadId" = $1 ORDER BY index`,
    [uploadId],
  );
  const sizes = chunks.map((chunk) => chunk.size);
  const { starts, size } = pieceStarts(sizes);
  return {
    size,
    async *read(start, end) {
      for (const { piece, from, to } of piecesInRange(sizes, starts, start, end))
        for (let at = from; at < to; at += READ_SLICE) {
          const length = Math.min(READ_SLICE, to - at);
          const { rows } = await uploadPool().query<{ bytes: Buffer }>(
            `SELECT substring(bytes from $3 for $4) AS bytes FROM "UserUploadChunk" WHERE "uploadId" = $1 AND index = $2`,
            [uploadId, chunks[piece]!.index, at + 1, length],
          );
          if (rows[0]?.bytes.length !== length) throw new UploadRefused('checksum', FILE_CHANGED);
          yield rows[0].bytes;
        }
    },
  };
}

export async function deleteUpload(uploadId: string): Promise<void> {
  await db.userUpload.deleteMany({ where: { id: uploadId } });
}

/** The file and its staged rows, once imported (the upload record stays as history). */
export async function deleteUploadContent(uploadId: string): Promise<void> {
  await db.$transaction([
    db.userUploadChunk.deleteMany({ where: { uploadId } }),
    db.userUploadBatch.deleteMany({ where: { uploadId } }),
  ]);
}

export async function getUploadRecord(uploadId: string) {
  return db.userUpload.findUnique({
    where: { id: uploadId },
    include: { uploadedBy: { select: { username: true } } },
  });
}

export type UploadRecord = NonNullable<Awaited<ReturnType<typeof getUploadRecord>>>;

export async function saveValidation(
  uploadId: string,
  input: { checksum: string; result: ValidationResult; fileInfo: FileInfo | null },
): Promise<void> {
  const { problems, ...counts } = input.result;
  await db.userUpload.update({
    where: { id: uploadId },
    data: {
      ...counts,
      checksum: input.checksum,
      status: 'validated',
      problems: problems as unknown as Prisma.InputJsonValue,
      fileInfo: (input.fileInfo ?? undefined) as Prisma.InputJsonValue | undefined,
      progressRows: counts.rowsRead,
    },
  });
}

export async function setProgress(uploadId: string, rows: number): Promise<void> {
  await db.userUpload.update({ where: { id: uploadId }, data: { progressRows: rows } });
}

/** Moves a validated upload to `importing`; false when it was not validated (or already taken). */
export async function claimForImport(
  uploadId: string,
  modes: { allOrNothing: boolean; existingMode: 'skip' | 'update' },
): Promise<boolean> {
  const { count } = await db.userUpload.updateMany({
    where: { id: uploadId, status: 'validated' },
    data: { status: 'importing', progressRows: 0, ...modes },
  });
  return count === 1;
}

export async function finishImportRecord(
  uploadId: string,
  data: Prisma.UserUploadUpdateInput,
): Promise<void> {
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
