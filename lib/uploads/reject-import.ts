import 'server-only';
import { recordEvent } from '@/lib/audit/record-event';
import { recordFields } from './import-totals';
import { checkStagedRows } from './staged-rows';
import { deleteUploadContent, finishImportRecord } from './upload-store';
import { MAX_STORED_PROBLEMS, withDatabaseCheck, type FileCheck } from './validate-upload';

/**
 * "Only if every row is valid" and some row is not: nothing was written (or it was rolled back).
 * The upload is closed as rejected, its content deleted and the rejection audited; the report
 * shows the database as it is now. Returns how many rows failed.
 */
export async function rejectImport(
  input: { uploadId: string; adminId: string },
  fileName: string,
  file: FileCheck,
  failedWhileWriting: number,
  who: { ip: string | null; userAgent: string | null },
): Promise<{ failed: number }> {
  const found = withDatabaseCheck(
    file,
    await checkStagedRows(input.uploadId, { limit: MAX_STORED_PROBLEMS }),
  );
  // A row beaten to its username by another writer fails without being a problem of the file.
  const failed = Math.max(found.rowsInvalid, failedWhileWriting);
  await finishImportRecord(input.uploadId, {
    ...recordFields(found),
    status: 'rejected',
    created: 0,
    updated: 0,
    skipped: 0,
    failed,
    importedAt: new Date(),
  });
  await deleteUploadContent(input.uploadId);
  await recordEvent({
    type: 'upload.rejected',
    userId: input.adminId,
    ...who,
    detail: { uploadId: input.uploadId, fileName, reason: 'invalid-rows', rowsInvalid: failed },
  });
  return { failed };
}
