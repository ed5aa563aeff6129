import type { TextEncoding } from './decode-text';
import { FirstRows } from './first-rows';
import type { RandomAccessFile } from './random-access-file';
import { readUploadRecords, type FileInfo } from './read-upload';
import type { UploadColumn } from './upload-columns';
import {
  shortValue,
  validateRow,
  type RowResult,
  type UploadProblem,
  type UploadRow,
} from './validate-row';

// The file's own checks (CSV-01, CSV-02): each row on its own, then duplicates within the file.
// Rows that pass leave in batches through `onValidBatch` (the dry run stages them); the checks
// against the database run on the staged rows in SQL (staged-rows.ts), at the dry run and again
// at the import. Memory holds one batch of rows, as JSON text, plus one key per username and
// email seen (first-rows.ts: UTF-8 and typed arrays, outside V8's heap).

/** A user already in the database, as the checks and an update need it. */
export type ExistingUser = {
  id: string;
  usernameKey: string;
  email: string;
  phone: string | null;
  name: string | null;
  role: 'user' | 'admin';
  twoFactor: boolean;
};

export type ClassifiedRow = UploadRow & { existing: ExistingUser | null };

export type UploadCounts = {
  rowsRead: number;
  rowsValid: number;
  rowsInvalid: number;
  rowsNew: number;
  rowsExisting: number;
};

export type ValidationResult = UploadCounts & {
  problems: UploadProblem[];
  problemsOmitted: number;
};

/** What the file alone says: `rowsValid` rows passed and were handed to `onValidBatch`. */
export type FileCheck = {
  /** How the file was read: format, encoding, columns not read. */
  fileInfo?: FileInfo | null;
  rowsRead: number;
  rowsValid: number;
  rowsInvalid: number;
  problems: UploadProblem[];
  problemsOmitted: number;
};

export type ValidateOptions = {
  chunks: AsyncIterable<Uint8Array>;
  defaultRegion: string;
  maxRows: number;
  /** The upload's byte limit (a workbook's inflated parts are capped at multiples of it). */
  maxFileBytes?: number;
  /** The text encoding the admin chose on the upload form; detected when absent. */
  encoding?: TextEncoding;
  /** The same file by byte range where it is stored: a workbook is read from there. */
  file?: RandomAccessFile;
  /** Rows per call of `onValidBatch`. */
  batchSize?: number;
  /** Problems kept; the rest are only counted. */
  maxProblems?: number;
  /** Receives the rows that passed, in file order, as a JSON array of UploadRow (see StagedBatch). */
  onValidBatch?: (batch: StagedBatch) => Promise<void>;
  /** Called with the number of rows read so far, once per batch. */
  onProgress?: (rowsDone: number) => Promise<void> | void;
};

export const MAX_STORED_PROBLEMS = 10_000;

/**
 * A batch of valid rows as the JSON text of an UploadRow[]: each row becomes one short flat
 * string the moment it passes, so a row waiting for its batch is ~150 bytes instead of an object
 * and nine strings. Rows wait long enough to survive two young-generation collections; as objects
 * V8 promoted ~80 MB of them to the old generation over a 100,000-row dry run (docs/performance.md).
 */
export type StagedBatch = { rowCount: number; json: string };

export async function validateUpload(options: ValidateOptions): Promise<FileCheck> {
  const batchSize = options.batchSize ?? 1000;
  const maxProblems = options.maxProblems ?? MAX_STORED_PROBLEMS;
  const result: FileCheck = {
    fileInfo: null,
    rowsRead: 0,
    rowsValid: 0,
    rowsInvalid: 0,
    problems: [],
    problemsOmitted: 0,
  };
  // First row of each username (canonical) and email (lower-cased) in the file.
  const seenUsernames = new FirstRows();
  const seenEmails = new FirstRows();
  let pending: string[] = [];

  const flush = async () => {
    if (pending.length) {
      const batch = { rowCount: pending.length, json: `[${pending.join(',')}]` };
      pending = [];
      await options.onValidBatch?.(batch);
    }
    await options.onProgress?.(result.rowsRead);
  };

  const records = readUploadRecords(options.chunks, {
    maxRows: options.maxRows,
    maxFileBytes: options.maxFileBytes,
    encoding: options.encoding,
    file: options.file,
    onFileInfo: (info) => void (result.fileInfo = info),
  });
  for await (const record of records) {
    result.rowsRead += 1;
    const checked: RowResult = record.problem
      ? {
          ok: false,
          problems: [{ row: record.row, column: '*', reason: record.problem }],
          usernameKey: null,
          emailKey: null,
        }
      : validateRow(record.fields, record.row, options.defaultRegion);
    // A cell that could not be read (a formula without a result) is that cell's problem, in
    // place of what the row check said about the empty text it stands for.
    const unread = new Set(record.cellProblems?.map((p) => p.column));
    const problems = [
      ...(record.cellProblems ?? []).map(({ column, reason }) => ({
        row: record.row,
        column,
        reason,
      })),
      ...(checked.ok ? [] : checked.problems.filter((p) => !unread.has(p.column as UploadColumn))),
    ];
    const usernameKey = checked.ok ? checked.value.usernameKey : checked.usernameKey;
    const emailKey = checked.ok ? checked.value.emailKey : checked.emailKey;
    // Later copies are the duplicates: the first one stays importable.
    if (usernameKey !== null) {
      const first = seenUsernames.firstRowOrAdd(usernameKey, record.row);
      if (first !== undefined)
        problems.push({
          row: record.row,
          column: 'username',
          reason: `The same username as row ${first}.`,
          value: shortValue(record.fields[0]!.trim()),
        });
    }
    if (emailKey !== null) {
      const first = seenEmails.firstRowOrAdd(emailKey, record.row);
      if (first !== undefined)
        problems.push({
          row: record.row,
          column: 'email',
          reason: `The same email address as row ${first}.`,
          value: shortValue(record.fields[2]!.trim()),
        });
    }
    if (problems.length || !checked.ok) {
      result.rowsInvalid += 1;
      problems.sort((a, b) => columnOrder(a.column) - columnOrder(b.column));
      for (const problem of problems) {
        if (result.problems.length < maxProblems) result.problems.push(problem);
        else result.problemsOmitted += 1;
      }
      continue;
    }
    result.rowsValid += 1;
    pending.push(JSON.stringify(checked.value));
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  return result;
}

/**
 * The file's problems and the database's (rows whose email belongs to another user), as one list
 * in row order of at most `maxProblems`; rows are counted once whatever they have.
 */
export function withDatabaseCheck(
  file: FileCheck,
  found: { emailTaken: number; existing: number; problems: UploadProblem[] },
  maxProblems = MAX_STORED_PROBLEMS,
): ValidationResult {
  // Stable sort: a row's own problems keep their column order.
  const problems = [...file.problems, ...found.problems].sort((a, b) => a.row - b.row);
  const total = file.problems.length + file.problemsOmitted + found.emailTaken;
  const kept = problems.slice(0, maxProblems);
  const rowsValid = file.rowsValid - found.emailTaken;
  return {
    rowsRead: file.rowsRead,
    rowsValid,
    rowsInvalid: file.rowsInvalid + found.emailTaken,
    rowsNew: rowsValid - found.existing,
    rowsExisting: found.existing,
    problems: kept,
    problemsOmitted: total - kept.length,
  };
}

const ORDER = ['*', 'username', 'name', 'email', 'phone', 'role', 'two_factor'];
const columnOrder = (column: string) => ORDER.indexOf(column);
