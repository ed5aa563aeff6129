import 'server-only';
import { randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import { revokeAllTrustedDevices } from '@/lib/devices/trusted-devices';
import { contactChangedByUploadNotice } from '@/lib/notices/contact-changed-by-upload-notice';
import { sendNotice } from '@/lib/notices/send-notice';
import { getSender } from '@/lib/otp/delivery/senders';
import type { Sender } from '@/lib/otp/delivery/sender';
import type { Prisma } from '@/lib/generated/prisma/client';
import { INVITED_PASSWORD_HASH } from './invited-password';
import {
  writeStagedBatches,
  type BatchOptions,
  type BatchOutcome,
  type ContactChange,
} from './import-batch';
import { checkStagedRows, EMAIL_TAKEN, listStagedBatches, STAGED_BATCH_ROWS } from './staged-rows';
import {
  claimForImport,
  deleteUploadContent,
  finishImportRecord,
  getUploadRecord,
  setProgress,
  storedProblems,
  type UploadRecord,
} from './upload-store';
import {
  MAX_STORED_PROBLEMS,
  withDatabaseCheck,
  type FileCheck,
  type ValidationResult,
} from './validate-upload';

// The import (CSV-02, CSV-03, CSV-05) of the rows the dry run staged. What can have changed since
// the dry run (the database: usernames and addresses taken) is checked again inside each
// transaction, just before the rows are written. "Import the valid rows" commits each run of
// batches on its own; "only if every row is valid" runs in one transaction that is rolled back at
// the first row that cannot be written, so nothing is half-imported.

export type ImportChoice = { allOrNothing: boolean; existingMode: 'skip' | 'update' };
export type ImportResult =
  | {
      ok: true;
      status: 'imported' | 'rejected';
      created: number;
      updated: number;
      skipped: number;
      failed: number;
      createdIds: string[];
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
    return rejectAll(input, record.fileName, file, 0, who);
  const options = batchOptions(input);
  const totals = emptyTotals();
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
            add(totals, outcome);
          }
        },
        { timeout: 30 * 60_000, maxWait: 10_000 },
      );
      await revokeDevices(totals.contactChanges, input.adminId, who);
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
        add(totals, outcome);
        await revokeDevices(outcome.contactChanges, input.adminId, who);
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
      return rejectAll(input, record.fileName, file, error.failed, who);
    await finishImportRecord(input.uploadId, {
      status: 'failed',
      error:
        'The import stopped on an unexpected error; rows already committed stay imported. See the server log.',
      ...counts(totals),
      importedAt: new Date(),
    });
    await deleteUploadContent(input.uploadId);
    await recordEvent({
      type: 'upload.imported',
      userId: input.adminId,
      ...who,
      detail: { uploadId: input.uploadId, status: 'failed', ...counts(totals) },
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
    ...counts(totals),
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
      ...counts(totals),
      failed,
      contactChanges: totals.contactChanges.length,
      noticesFailed: notices.failed,
    },
  });
  return { ok: true, status: 'imported', ...counts(totals), failed, createdIds: totals.createdIds };
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

const emptyTotals = (): BatchOutcome => ({
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
  createdIds: [],
  contactChanges: [],
  existing: 0,
  emailTaken: 0,
  problems: [],
});

function add(totals: BatchOutcome, o: BatchOutcome) {
  totals.created += o.created;
  totals.updated += o.updated;
  totals.skipped += o.skipped;
  totals.failed += o.failed;
  totals.existing += o.existing;
  totals.emailTaken += o.emailTaken;
  for (const id of o.createdIds) totals.createdIds.push(id);
  totals.contactChanges.push(...o.contactChanges);
  // Runs come in row order: the first problems are the ones kept.
  for (const p of o.problems)
    if (totals.problems.length < MAX_STORED_PROBLEMS) totals.problems.push(p);
}

const counts = (t: BatchOutcome) => ({
  created: t.created,
  updated: t.updated,
  skipped: t.skipped,
  failed: t.failed,
});

const recordFields = ({ problems, ...found }: ValidationResult) => ({
  ...found,
  problems: problems as unknown as Prisma.InputJsonValue,
});

// Right after the commit that changed the phone or address (TD-06, OTP-10), through the one
// function every trust-ending event uses. Not inside the transaction: that function has its own
// connection, which embedded PostgreSQL would make wait for the transaction.
async function revokeDevices(changes: ContactChange[], actorId: string, who: Who) {
  for (const change of changes) {
    await revokeAllTrustedDevices({
      userId: change.userId,
      reason: change.phoneChanged ? 'phone-changed' : 'email-changed',
      actorId,
      ...who,
    });
  }
}

/**
 * "Only if every row is valid" and some row is not: nothing was written (or it was rolled back).
 * The report shows the database as it is now.
 */
async function rejectAll(
  input: { uploadId: string; adminId: string },
  fileName: string,
  file: FileCheck,
  failedWhileWriting: number,
  who: Who,
): Promise<ImportResult> {
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
  return {
    ok: true,
    status: 'rejected',
    created: 0,
    updated: 0,
    skipped: 0,
    failed,
    createdIds: [],
  };
}

/** OTP-10: the old address hears of every phone or email change; a failed notice is counted. */
async function tellOldAddresses(
  changes: ContactChange[],
  input: { adminId: string; uploadId: string; sender?: Sender | null },
  who: Who,
) {
  const sender = input.sender === undefined ? getSender('email') : input.sender;
  let failed = 0;
  for (const change of changes) {
    // A failed notice is audited by sendNotice, counted below and in the event; the change stands.
    const { sent: noticeSent } = await sendNotice(
      { senderFor: () => sender },
      {
        kind: 'contact-changed-by-upload',
        message: contactChangedByUploadNotice({
          to: change.oldEmail,
          username: change.username,
          phoneChanged: change.phoneChanged,
          emailChanged: change.emailChanged,
          at: new Date(),
        }),
        userId: change.userId,
        ...who,
        detail: { uploadId: input.uploadId, actorId: input.adminId },
      },
    );
    if (!noticeSent) failed += 1;
    const fields = [change.phoneChanged && 'phone', change.emailChanged && 'email'].filter(Boolean);
    await recordEvent({
      type: 'contact.changed',
      userId: change.userId,
      ...who,
      detail: {
        via: 'upload',
        uploadId: input.uploadId,
        actorId: input.adminId,
        fields,
        noticeSent,
      },
    });
  }
  return { failed };
}
