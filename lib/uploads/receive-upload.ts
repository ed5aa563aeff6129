import 'server-only';
import { createHash } from 'node:crypto';
import { env } from '@/lib/env';
import { recordEvent } from '@/lib/audit/record-event';
import { BINARY_MESSAGE, sniffUtf16, type TextEncoding } from './decode-text';
import { looksLikeXlsx } from './looks-like-xlsx';
import { UploadRefused } from './upload-refused';
import { checkStagedRows, stageRows, STAGED_BATCH_ROWS } from './staged-rows';
import {
  appendChunk,
  CHUNK_BYTES,
  createUploadRecord,
  deleteUpload,
  getUploadRecord,
  saveValidation,
  setProgress,
  uploadFile,
} from './upload-store';
import {
  MAX_STORED_PROBLEMS,
  validateUpload,
  withDatabaseCheck,
  type StagedBatch,
} from './validate-upload';

// Receiving a User Upload and its dry run (CSV-01, CSV-02). The browser sends the file in chunks
// of at most CHUNK_BYTES (Vercel caps a request body at 4.5 MB), or, without JavaScript, whole in
// one form post; either way it is staged chunk by chunk and validated as a stream, and the rows
// that pass the file's own checks are staged for the import (staged-rows.ts), where the checks
// against the database run in SQL. A file refused for its size, encoding, header or row count
// leaves nothing behind but an `upload.rejected` audit event.

export type ReceiveResult = { ok: true; uploadId: string } | { ok: false; error: string };
type Who = { adminId: string; ip?: string | null; userAgent?: string | null };

const MAX_FILE_NAME = 200;

/** The progress bar's row count is written at most this often while a file is checked. */
const PROGRESS_EVERY_MS = 250;

function cleanFileName(name: string): string {
  // Shown as text only; control characters and path parts would only confuse the history page.
  const base =
    name
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .split(/[\\/]/)
      .pop()
      ?.trim() || 'upload.csv';
  return [...base].slice(0, MAX_FILE_NAME).join('');
}

const tooLargeMessage = () =>
  `This file is larger than ${(env.UPLOAD_MAX_BYTES / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB, the most one upload may be. Split it into smaller files.`;

export async function startUpload(
  input: Who & { fileName: string; declaredSize: number },
): Promise<ReceiveResult> {
  const fileName = cleanFileName(input.fileName);
  if (!Number.isSafeInteger(input.declaredSize) || input.declaredSize <= 0)
    return refuseEarly(
      input,
      fileName,
      input.declaredSize,
      new UploadRefused('empty', 'The file is empty.'),
    );
  if (input.declaredSize > env.UPLOAD_MAX_BYTES)
    return refuseEarly(
      input,
      fileName,
      input.declaredSize,
      new UploadRefused('too-large', tooLargeMessage()),
    );
  return {
    ok: true,
    uploadId: await createUploadRecord({ fileName, uploadedById: input.adminId }),
  };
}

export async function appendUploadChunk(
  input: Who & { uploadId: string; index: number; bytes: Uint8Array },
): Promise<ReceiveResult> {
  if (
    !Number.isSafeInteger(input.index) ||
    input.index < 0 ||
    input.bytes.byteLength === 0 ||
    input.bytes.byteLength > CHUNK_BYTES
  ) {
    return { ok: false, error: `Each part of the file must be 1 to ${CHUNK_BYTES} bytes.` };
  }
  // Cheap early refusal of a binary file that is neither a workbook nor UTF-16 text: no need to
  // receive the rest of it. Later parts are checked by the dry run.
  if (
    input.index === 0 &&
    input.bytes.includes(0) &&
    !looksLikeXlsx(input.bytes) &&
    !sniffUtf16(input.bytes)
  )
    return refuse(input, input.uploadId, new UploadRefused('binary', BINARY_MESSAGE));
  const outcome = await appendChunk({
    uploadId: input.uploadId,
    uploadedById: input.adminId,
    index: input.index,
    bytes: input.bytes,
    maxBytes: env.UPLOAD_MAX_BYTES,
  });
  if (outcome === 'ok') return { ok: true, uploadId: input.uploadId };
  if (outcome === 'too-large')
    return refuse(input, input.uploadId, new UploadRefused('too-large', tooLargeMessage()));
  if (outcome === 'out-of-order')
    return refuse(
      input,
      input.uploadId,
      new UploadRefused(
        'incomplete',
        'A part of the file arrived out of order. Upload the file again.',
      ),
    );
  return { ok: false, error: 'This upload is no longer open. Upload the file again.' };
}

/**
 * Validates the uploaded file (the dry run), stages its valid rows and records its counts and
 * problems. `checksum`, when the browser sent one, must match the SHA-256 of what arrived.
 */
export async function finishUpload(
  input: Who & { uploadId: string; checksum?: string | null; encoding?: TextEncoding },
): Promise<ReceiveResult> {
  const record = await getUploadRecord(input.uploadId);
  if (!record || record.status !== 'receiving' || record.uploadedById !== input.adminId)
    return { ok: false, error: 'This upload is no longer open. Upload the file again.' };
  if (record.size === 0)
    return refuse(input, input.uploadId, new UploadRefused('empty', 'The file is empty.'));
  const stored = await uploadFile(input.uploadId);
  const hash = createHash('sha256');
  async function* hashed() {
    for await (const chunk of stored.read(0, stored.size)) {
      hash.update(chunk);
      yield chunk;
    }
  }
  // One batch is written while the next is parsed: the database and this process work at once.
  let batch = 0;
  let staging: Promise<void> = Promise.resolve();
  const stage = async (rows: StagedBatch) => {
    await staging;
    staging = stageRows(input.uploadId, batch++, rows);
    staging.catch(() => {}); // awaited (and thrown) with the next batch or at the end
  };
  let progressAt = 0;
  const progress = async (rows: number) => {
    if (Date.now() - progressAt < PROGRESS_EVERY_MS) return;
    progressAt = Date.now();
    await setProgress(input.uploadId, rows);
  };
  try {
    const file = await validateUpload({
      chunks: hashed(),
      defaultRegion: env.PHONE_DEFAULT_REGION,
      maxRows: env.UPLOAD_MAX_ROWS,
      maxFileBytes: env.UPLOAD_MAX_BYTES,
      encoding: input.encoding,
      // A workbook is read by byte range from the database: never held whole (it could be
      // UPLOAD_MAX_BYTES). The chunks above still pass through the hash.
      file: stored,
      batchSize: STAGED_BATCH_ROWS,
      onValidBatch: stage,
      onProgress: progress,
    });
    await staging;
    const checksum = hash.digest('hex');
    if (input.checksum && input.checksum.toLowerCase() !== checksum)
      throw new UploadRefused(
        'checksum',
        'The file arrived damaged (its checksum does not match). Upload it again.',
      );
    if (file.rowsRead === 0)
      throw new UploadRefused('empty', 'The file has the header but no rows.');
    const result = withDatabaseCheck(
      file,
      await checkStagedRows(input.uploadId, { limit: MAX_STORED_PROBLEMS }),
    );
    await saveValidation(input.uploadId, { checksum, result, fileInfo: file.fileInfo ?? null });
    const { problems, ...counts } = result;
    await recordEvent({
      type: 'upload.validated',
      userId: input.adminId,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      detail: {
        uploadId: input.uploadId,
        fileName: record.fileName,
        size: record.size,
        checksum,
        format: file.fileInfo?.format ?? null,
        encoding: file.fileInfo?.encoding ?? null,
        ...(file.fileInfo?.encodingSource ? { encodingSource: file.fileInfo.encodingSource } : {}),
        ...counts,
        problems: problems.length + counts.problemsOmitted,
      },
    });
    return { ok: true, uploadId: input.uploadId };
  } catch (error) {
    await staging.catch(() => {});
    if (error instanceof UploadRefused)
      return refuse(input, input.uploadId, error, { fileName: record.fileName, size: record.size });
    throw error;
  }
}

/** The form post without JavaScript: the whole file at once, staged in chunks, then validated. */
export async function uploadWholeFile(
  input: Who & { fileName: string; bytes: Uint8Array; encoding?: TextEncoding },
): Promise<ReceiveResult> {
  const started = await startUpload({ ...input, declaredSize: input.bytes.byteLength });
  if (!started.ok) return started;
  for (let index = 0, offset = 0; offset < input.bytes.byteLength; index++, offset += CHUNK_BYTES) {
    const appended = await appendUploadChunk({
      ...input,
      uploadId: started.uploadId,
      index,
      bytes: input.bytes.subarray(offset, offset + CHUNK_BYTES),
    });
    if (!appended.ok) return appended;
  }
  return finishUpload({ ...input, uploadId: started.uploadId });
}

async function refuse(
  who: Who,
  uploadId: string,
  refusal: UploadRefused,
  known?: { fileName: string; size: number },
): Promise<ReceiveResult> {
  const record =
    known ??
    (await getUploadRecord(uploadId).then((r) =>
      r ? { fileName: r.fileName, size: r.size } : null,
    ));
  await deleteUpload(uploadId);
  return refuseEarly(who, record?.fileName ?? null, record?.size ?? null, refusal);
}

async function refuseEarly(
  who: Who,
  fileName: string | null,
  size: number | null,
  refusal: UploadRefused,
): Promise<ReceiveResult> {
  await recordEvent({
    type: 'upload.rejected',
    userId: who.adminId,
    ip: who.ip ?? null,
    userAgent: who.userAgent ?? null,
    detail: { fileName, size, reason: refusal.code, message: refusal.message },
  });
  return { ok: false, error: refusal.message };
}
