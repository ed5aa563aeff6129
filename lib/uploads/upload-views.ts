import 'server-only';
import {
  invitationCounts,
  pendingInvitationUserIds,
  sendInvitations,
  type SendInvitationsResult,
} from '@/lib/invitations/send-invitation';
import { problemReportLines } from './problem-report';
import type { FileInfo } from './read-upload';
import { getUploadRecord, listUploadRecords, storedProblems } from './upload-store';
import type { UploadProblem } from './validate-row';

// What the upload pages show, as plain values: pages and actions in app/ make no Prisma calls and
// see no Prisma types.

export type UploadSummary = {
  id: string;
  fileName: string;
  size: number;
  checksum: string | null;
  uploadedBy: string | null;
  createdAt: Date;
  importedAt: Date | null;
  status: 'receiving' | 'validated' | 'importing' | 'imported' | 'rejected' | 'failed';
  allOrNothing: boolean | null;
  existingMode: 'skip' | 'update' | null;
  rowsRead: number;
  rowsValid: number;
  rowsInvalid: number;
  rowsNew: number;
  rowsExisting: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  progressRows: number;
  problemCount: number;
  error: string | null;
  /** How the dry run read the file, in words: "CSV, Windows-1252"; null before it ran. */
  readAs: string | null;
  /** Header cells that name no column, with their column letter: their cells were not read. */
  unknownColumns: string[];
};

type Row = Awaited<ReturnType<typeof listUploadRecords>>['rows'][number];

const FORMAT_NAMES = { csv: 'CSV', xlsx: 'Excel workbook (.xlsx), first sheet' } as const;

function fileInfoOf(value: unknown): { readAs: string | null; unknownColumns: string[] } {
  const info = value as Partial<FileInfo> | null;
  if (!info || (info.format !== 'csv' && info.format !== 'xlsx'))
    return { readAs: null, unknownColumns: [] };
  const how =
    info.encodingSource === 'guessed'
      ? ' (a guess: if names look wrong, upload the file again and choose its encoding)'
      : info.encodingSource === 'chosen'
        ? ' (as chosen on the upload form)'
        : '';
  const encoding = typeof info.encoding === 'string' ? `, ${info.encoding}${how}` : '';
  return {
    readAs: `${FORMAT_NAMES[info.format]}${encoding}`,
    unknownColumns: Array.isArray(info.unknownColumns) ? info.unknownColumns.map(String) : [],
  };
}

function summarize(record: Row & { problems?: unknown }, problemCount: number): UploadSummary {
  return {
    ...fileInfoOf(record.fileInfo),
    id: record.id,
    fileName: record.fileName,
    size: record.size,
    checksum: record.checksum,
    uploadedBy: record.uploadedBy?.username ?? null,
    createdAt: record.createdAt,
    importedAt: record.importedAt,
    status: record.status,
    allOrNothing: record.allOrNothing,
    existingMode: record.existingMode,
    rowsRead: record.rowsRead,
    rowsValid: record.rowsValid,
    rowsInvalid: record.rowsInvalid,
    rowsNew: record.rowsNew,
    rowsExisting: record.rowsExisting,
    created: record.created,
    updated: record.updated,
    skipped: record.skipped,
    failed: record.failed,
    progressRows: record.progressRows,
    problemCount,
    error: record.error,
  };
}

export async function listUploads(
  page: number,
  pageSize = 25,
): Promise<{ uploads: UploadSummary[]; total: number }> {
  const { rows, total } = await listUploadRecords({
    take: pageSize,
    skip: Math.max(0, page - 1) * pageSize,
  });
  // The list omits the problems column (it can be large): the page shows rowsInvalid instead.
  return { uploads: rows.map((r) => summarize(r, r.rowsInvalid)), total };
}

export type UploadDetail = UploadSummary & {
  /** The first `limit` problems, in row order. */
  problems: UploadProblem[];
  problemsOmitted: number;
  invitations: { sent: number; failed: number; pending: number; accepted: number };
};

export async function getUpload(uploadId: string, limit = 100): Promise<UploadDetail | null> {
  const record = await getUploadRecord(uploadId);
  if (!record) return null;
  const problems = storedProblems(record);
  return {
    ...summarize(record, problems.length + record.problemsOmitted),
    problems: problems.slice(0, limit),
    problemsOmitted: record.problemsOmitted,
    invitations: await invitationCounts(uploadId),
  };
}

/** The upload's progress for the page's progress bar. */
export async function getUploadProgress(
  uploadId: string,
): Promise<{ status: UploadSummary['status']; progressRows: number; rowsRead: number } | null> {
  const record = await getUploadRecord(uploadId);
  return record
    ? { status: record.status, progressRows: record.progressRows, rowsRead: record.rowsRead }
    : null;
}

/** The full problem report as CSV (CSV-04), or null when there is no such upload. */
export async function problemReport(
  uploadId: string,
): Promise<{ fileName: string; csv: string } | null> {
  const record = await getUploadRecord(uploadId);
  if (!record) return null;
  const csv = [...problemReportLines(storedProblems(record), record.problemsOmitted)].join('');
  const base =
    record.fileName
      .replace(/\.csv$/i, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 80) || 'upload';
  return { fileName: `${base}-problems.csv`, csv };
}

/** Sends up to `limit` of the upload's pending or failed invitations. */
export async function sendPendingInvitations(
  uploadId: string,
  options: { actorId: string; limit?: number },
): Promise<SendInvitationsResult> {
  const userIds = await pendingInvitationUserIds(uploadId, options.limit ?? 500);
  return sendInvitations(userIds, { actorId: options.actorId });
}
