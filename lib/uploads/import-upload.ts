import 'server-only';
import { randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import type { Sender } from '@/lib/delivery/sender';
import { getExpiringStore } from '@/lib/store/store';
import { INVITED_PASSWORD_HASH } from './invited-password';
import { writeStagedBatches, type BatchOptions } from './import-batch';
import { addOutcome, countsOf, importTotals, recordFields } from './import-totals';
import { rejectImport } from './reject-import';
import { revokeChangedDevices } from './revoke-changed-devices';
import { EMAIL_TAKEN, listStagedBatches, STAGED_BATCH_ROWS } from './staged-rows';
import { tellOldAddresses } from './tell-old-addresses';
import {
  claimForImport,
  deleteUploadContent,
  finishImportRecord,
  getUploadRecord,
  setProgress,
  storedProblems,
  type UploadRecord,
} from './upload-store';
import { withDatabaseCheck, type FileCheck } from './validate-upload';

// The import (CSV-02, CSV-03, CSV-05) of the rows the dry run staged. What can have changed since
// the dry run (the database: usernames and addresses taken) is checked again inside each
// transaction, just before the rows are written. "Import the valid rows" commits each run of
// batches on its own; "only if every row is valid" runs in one transaction that is rolled back at
// the first row that cannot be written, so nothing is half-imported. After each commit the trusted
// devices of users whose phone or email changed are revoked (revoke-changed-devices.ts); at the
// end their old addresses are told (tell-old-addresses.ts).

export type ImportChoice = { allOrNothing: boolean; existingMode: 'skip' | 'update' };
export type ImportResult =
  | {
      ok: true;
      status: 'imported' | 'rejected';
      created: number;
      updated: number;
      skipped: number;
      failed: number;
    }
  | { ok: false; error: string };

type Who = { ip: string | null; userAgent: string | null };

/**
 * Rows per transaction in "import the valid rows", whatever the staged batch size: runs of 2,500
 * rows cost the database ~0.3 s more CPU per 100,000 rows than runs of 5,000 (docs/performance.md).
 */
const IMPORT_RUN_ROWS = 5000;

class NotAllValid extends Error {
  constructor(readonly failed: number) {
    super('not every row is valid');
  }
}

export async function importUpload(
  input: ImportChoice & {
    uploadId: string;
    adminId: string;
    ip?: string | null;
    userAgent?: string | null;
    sender?: Sender | null;
    /** Rows per transaction in "import the valid rows", rounded to whole staged batches. */
    batchSize?: number;
  },
): Promise<ImportResult> {
  const record = await getUploadRecord(input.uploadId);
  if (!record || record.status !== 'validated')
    return {
      ok: false,
      error: 'This upload cannot be imported (it was imported already, or it was not validated).',
    };
  const batches = await listStagedBatches(input.uploadId);
  const staged = batches.reduce((sum, b) => sum + b.rowCount, 0);
  // Validated before rows were staged (an earlier version of the app): nothing to import from.
  if (staged === 0 && record.rowsValid > 0)
    return {
      ok: false,
      error: 'This upload was checked by an earlier version of the app. Upload the file again.',
    };
  if (
    !(await claimForImport(input.uploadId, {
      allOrNothing: input.allOrNothing,
      existingMode: input.existingMode,
    }))
  )
    return { ok: false, error: 'This upload is already being imported.' };
  const who: Who = { ip: input.ip ?? null, userAgent: input.userAgent ?? null };
  const file = fileCheckOf(record, staged);
  const perRun = Math.max(1, Math.round((input.batchSize ?? IMPORT_RUN_ROWS) / STAGED_BATCH_ROWS));
  const runs: { from: number; to: number; rows: number }[] = [];
  for (let i = 0; i < batches.length; i += perRun) {
    const run = batches.slice(i, i + perRun);
    runs.push({
      from: run[0]!.index,
      to: run.at(-1)!.index,
      rows: run.reduce((sum, b) => sum + b.rowCount, 0),
    });
  }

  // "Only if every row is valid", and a row failed its own checks: it would fail again.
  if (input.allOrNothing && file.rowsInvalid > 0)
    return rejected(await rejectImport(input, record.fileName, file, 0, who));
  const options = batchOptions(input);
  const totals = importTotals();
  try {
    if (input.allOrNothing) {
      // Everything through the one transaction: embedded PostgreSQL (development) serves one
      // transaction at a time, so a query on another connection would wait for this one forever.
      // Hence also no progress rows here: they would not be visible before the commit anyway.
      await db.$transaction(
        async (tx) => {
          for (const run of runs) {
            const outcome = await writeStagedBatches(tx, run, options);
            if (outcome.failed > 0) throw new NotAllValid(outcome.failed);
            addOutcome(totals, outcome);
          }
        },
        { timeout: 30 * 60_000, maxWait: 10_000 },
      );
      await revokeChangedDevices(totals.contactChanges, input.adminId, who);
    } else {
      let rowsDone = 0;
      for (const run of runs) {
        const outcome = await db.$transaction(
          async (tx) => {
            // No flush to disk per run: the final (synchronous) status update flushes every
            // earlier commit with it, and a crash before it leaves the upload "importing".
            await tx.$executeRaw`SET LOCAL synchronous_commit = off`;
            return writeStagedBatches(tx, run, options);
          },
          { timeout: 5 * 60_000 },
        );
        addOutcome(totals, outcome);
        await revokeChangedDevices(outcome.contactChanges, input.adminId, who);
        rowsDone += run.rows;
        // Progress against rows read, of which only the staged ones take time.
        await setProgress(
          input.uploadId,
          Math.round((record.rowsRead * rowsDone) / Math.max(1, staged)),
        );
      }
    }
  } catch (error) {
    if (error instanceof NotAllValid)
      return rejected(await rejectImport(input, record.fileName, file, error.failed, who));
    await finishImportRecord(input.uploadId, {
      status: 'failed',
      error:
        'The import stopped on an unexpected error; rows already committed stay imported. See the server log.',
      ...countsOf(totals),
      importedAt: new Date(),
    });
    await deleteUploadContent(input.uploadId);
    await recordEvent({
      type: 'upload.imported',
      userId: input.adminId,
      ...who,
      detail: { uploadId: input.uploadId, status: 'failed', ...countsOf(totals) },
    });
    throw new Error(`import of upload ${input.uploadId} failed`, { cause: error });
  }

  const result = withDatabaseCheck(file, {
    emailTaken: totals.emailTaken,
    existing: totals.existing,
    problems: totals.problems,
  });
  const failed = totals.failed + file.rowsInvalid;
  const notices = await tellOldAddresses(totals.contactChanges, input, who);
  await finishImportRecord(input.uploadId, {
    ...recordFields(result),
    status: 'imported',
    ...countsOf(totals),
    failed,
    importedAt: new Date(),
  });
  await deleteUploadContent(input.uploadId);
  await recordEvent({
    type: 'upload.imported',
    userId: input.adminId,
    ...who,
    detail: {
      uploadId: input.uploadId,
      fileName: record.fileName,
      allOrNothing: input.allOrNothing,
      existingMode: input.existingMode,
      ...countsOf(totals),
      failed,
      contactChanges: totals.contactChanges.length,
      noticesFailed: notices.failed,
    },
  });
  return {
    ok: true,
    status: 'imported',
    ...countsOf(totals),
    failed,
  };
}

function batchOptions(input: {
  uploadId: string;
  adminId: string;
  existingMode: 'skip' | 'update';
}): BatchOptions {
  return {
    uploadId: input.uploadId,
    actorId: input.adminId,
    existingMode: input.existingMode,
    // Invited users have no password yet: a hash no password matches, as costly to check (PW-10).
    passwordHash: INVITED_PASSWORD_HASH,
    idPrefix: newIdPrefix(),
    store: getExpiringStore(),
  };
}

/**
 * The start of the ids of the users one import creates (each adds its row number): time first,
 * like Prisma's cuid, then 48 random bits, so two imports never share one.
 */
function newIdPrefix(): string {
  return `c${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/**
 * What the dry run found in the file itself, recovered from the upload record: the staged rows
 * passed; every stored problem except "email taken" (a database finding, checked again now) is
 * the file's own.
 */
function fileCheckOf(record: UploadRecord, staged: number): FileCheck {
  const stored = storedProblems(record);
  const own = stored.filter((p) => p.reason !== EMAIL_TAKEN);
  const takenAtDryRun = staged - record.rowsValid;
  return {
    rowsRead: record.rowsRead,
    rowsValid: staged,
    rowsInvalid: record.rowsRead - staged,
    problems: own,
    problemsOmitted: Math.max(
      0,
      stored.length + record.problemsOmitted - takenAtDryRun - own.length,
    ),
  };
}

/** The result of an import "only if every row is valid" that found a row that is not. */
const rejected = ({ failed }: { failed: number }): ImportResult => ({
  ok: true,
  status: 'rejected',
  created: 0,
  updated: 0,
  skipped: 0,
  failed,
});
