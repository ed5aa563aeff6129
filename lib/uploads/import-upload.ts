import 'server-only';
import { randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { recordEvent } from '@/lib/audit/record-event';
import { hashPassword } from '@/lib/auth/password';
import { revokeAllTrustedDevices } from '@/lib/devices/trusted-devices';
import { getSender } from '@/lib/otp/delivery/senders';
import type { Sender } from '@/lib/otp/delivery/sender';
import type { Prisma } from '@/lib/generated/prisma/client';
import { composeContactChangeNotice } from './contact-change-notice';
import { writeBatch, type BatchOutcome, type ContactChange } from './import-batch';
import { claimForImport, deleteChunks, finishImportRecord, getUploadRecord, lookupUsers, readChunks, setProgress } from './upload-store';
import { validateUpload, type UploadCounts, type ValidationResult } from './validate-upload';

// The import (CSV-02, CSV-03, CSV-05): the staged file is read and checked again (the database
// may have changed since the dry run), and valid rows are written 1,000 at a time. "Import the
// valid rows" commits each batch on its own; "only if every row is valid" runs in one transaction
// that stops writing at the first invalid row and is rolled back, so nothing is half-imported.

export type ImportChoice = { allOrNothing: boolean; existingMode: 'skip' | 'update' };
export type ImportResult =
  | { ok: true; status: 'imported' | 'rejected'; created: number; updated: number; skipped: number; failed: number; createdIds: string[] }
  | { ok: false; error: string };

class NotAllValid extends Error {
  constructor(readonly counts: ValidationResult | UploadCounts) {
    super('not every row is valid');
  }
}

export async function importUpload(input: ImportChoice & { uploadId: string; adminId: string; ip?: string | null; userAgent?: string | null; sender?: Sender | null; batchSize?: number }): Promise<ImportResult> {
  const record = await getUploadRecord(input.uploadId);
  if (!record || record.status !== 'validated') return { ok: false, error: 'This upload cannot be imported (it was imported already, or it was not validated).' };
  if (!(await claimForImport(input.uploadId, { allOrNothing: input.allOrNothing, existingMode: input.existingMode }))) return { ok: false, error: 'This upload is already being imported.' };
  const who = { ip: input.ip ?? null, userAgent: input.userAgent ?? null };
  // Invited users have no password yet. One argon2id hash of 256 random bits nobody keeps: no
  // password matches it, and checking one against it costs what a real check costs (PW-10).
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
  const totals: BatchOutcome = { created: 0, updated: 0, skipped: 0, failed: 0, createdIds: [], contactChanges: [] };
  const batchOptions = { uploadId: input.uploadId, actorId: input.adminId, existingMode: input.existingMode, passwordHash };

  const add = (o: BatchOutcome) => {
    totals.created += o.created;
    totals.updated += o.updated;
    totals.skipped += o.skipped;
    totals.failed += o.failed;
    totals.createdIds.push(...o.createdIds);
    totals.contactChanges.push(...o.contactChanges);
  };
  const settings = { defaultRegion: env.PHONE_DEFAULT_REGION, maxRows: env.UPLOAD_MAX_ROWS, batchSize: input.batchSize };

  let result: ValidationResult;
  try {
    if (input.allOrNothing) {
      // Everything through the one transaction: embedded PostgreSQL (development) serves one
      // transaction at a time, so a read on another connection would wait for this one forever.
      // Hence also no progress rows here: they would not be visible before the commit anyway.
      result = await db.$transaction(
        async (tx) => {
          const checked = await validateUpload({
            ...settings,
            chunks: readChunks(input.uploadId, tx),
            lookup: lookupUsers(tx),
            onValidBatch: async (rows, soFar) => {
              // Past the first invalid row nothing more is written; reading on gives full counts.
              if (soFar.rowsInvalid > 0) return;
              const outcome = await writeBatch(tx, rows, batchOptions);
              if (outcome.failed > 0) throw new NotAllValid({ ...soFar, rowsInvalid: outcome.failed });
              add(outcome);
            },
          });
          if (checked.rowsInvalid > 0) throw new NotAllValid(checked);
          return checked;
        },
        { timeout: 30 * 60_000, maxWait: 10_000 },
      );
      await revokeDevices(totals.contactChanges, input.adminId, who);
    } else {
      result = await validateUpload({
        ...settings,
        chunks: readChunks(input.uploadId),
        lookup: lookupUsers(),
        onProgress: (rows) => setProgress(input.uploadId, rows),
        onValidBatch: async (rows) => {
          const outcome = await db.$transaction(
            async (tx) => {
              // No flush to disk per batch: the final (synchronous) status update flushes every
              // earlier commit with it, and a crash before it leaves the upload "importing".
              await tx.$executeRaw`SET LOCAL synchronous_commit = off`;
              return writeBatch(tx, rows, batchOptions);
            },
            { timeout: 5 * 60_000 },
          );
          add(outcome);
          await revokeDevices(outcome.contactChanges, input.adminId, who);
        },
      });
    }
  } catch (error) {
    if (error instanceof NotAllValid) return rejectAll(input, record.fileName, error.counts, who);
    await finishImportRecord(input.uploadId, { status: 'failed', error: 'The import stopped on an unexpected error; rows already committed stay imported. See the server log.', ...counts(totals), importedAt: new Date() });
    await deleteChunks(input.uploadId);
    await recordEvent({ type: 'upload.imported', userId: input.adminId, ...who, detail: { uploadId: input.uploadId, status: 'failed', ...counts(totals) } });
    throw new Error(`import of upload ${input.uploadId} failed`, { cause: error });
  }

  const failed = totals.failed + result.rowsInvalid;
  const notices = await tellOldAddresses(totals.contactChanges, input, who);
  const { problems, ...found } = result;
  await finishImportRecord(input.uploadId, {
    ...found,
    problems: problems as unknown as Prisma.InputJsonValue,
    status: 'imported',
    ...counts(totals),
    failed,
    importedAt: new Date(),
  });
  await deleteChunks(input.uploadId);
  await recordEvent({
    type: 'upload.imported',
    userId: input.adminId,
    ...who,
    detail: { uploadId: input.uploadId, fileName: record.fileName, allOrNothing: input.allOrNothing, existingMode: input.existingMode, ...counts(totals), failed, contactChanges: totals.contactChanges.length, noticesFailed: notices.failed },
  });
  return { ok: true, status: 'imported', ...counts(totals), failed, createdIds: totals.createdIds };
}

// Right after the commit that changed the phone or address (TD-06, OTP-10), through the one
// function every trust-ending event uses. Not inside the transaction: that function has its own
// connection, which embedded PostgreSQL would make wait for the transaction.
async function revokeDevices(changes: ContactChange[], actorId: string, who: { ip: string | null; userAgent: string | null }) {
  for (const change of changes) {
    await revokeAllTrustedDevices({ userId: change.userId, reason: change.phoneChanged ? 'phone-changed' : 'email-changed', actorId, ...who });
  }
}

const counts = (t: BatchOutcome) => ({ created: t.created, updated: t.updated, skipped: t.skipped, failed: t.failed });

async function rejectAll(input: { uploadId: string; adminId: string }, fileName: string, found: UploadCounts | ValidationResult, who: { ip: string | null; userAgent: string | null }): Promise<ImportResult> {
  const problems = 'problems' in found ? { problems: found.problems as unknown as Prisma.InputJsonValue, problemsOmitted: found.problemsOmitted } : {};
  await finishImportRecord(input.uploadId, { status: 'rejected', created: 0, updated: 0, skipped: 0, failed: found.rowsInvalid, ...problems, importedAt: new Date() });
  await deleteChunks(input.uploadId);
  await recordEvent({ type: 'upload.rejected', userId: input.adminId, ...who, detail: { uploadId: input.uploadId, fileName, reason: 'invalid-rows', rowsInvalid: found.rowsInvalid } });
  return { ok: true, status: 'rejected', created: 0, updated: 0, skipped: 0, failed: found.rowsInvalid, createdIds: [] };
}

/** OTP-10: the old address hears of every phone or email change; a failed notice is counted. */
async function tellOldAddresses(changes: ContactChange[], input: { adminId: string; uploadId: string; sender?: Sender | null }, who: { ip: string | null; userAgent: string | null }) {
  const sender = input.sender === undefined ? getSender('email') : input.sender;
  let failed = 0;
  for (const change of changes) {
    let noticeSent = false;
    try {
      if (sender) {
        await sender.send(composeContactChangeNotice({ to: change.oldEmail, username: change.username, phoneChanged: change.phoneChanged, emailChanged: change.emailChanged, at: new Date() }));
        noticeSent = true;
      }
    } catch {
      // Counted below and in the audit event; the change itself stands.
    }
    if (!noticeSent) failed += 1;
    const fields = [change.phoneChanged && 'phone', change.emailChanged && 'email'].filter(Boolean);
    await recordEvent({ type: 'contact.changed', userId: change.userId, ...who, detail: { via: 'upload', uploadId: input.uploadId, actorId: input.adminId, fields, noticeSent } });
  }
  return { failed };
}
