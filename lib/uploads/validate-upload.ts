import { readUploadRecords } from './read-csv';
import { shortValue, validateRow, type UploadProblem, type UploadRow } from './validate-row';

// The whole-file pass shared by the dry run and the import (CSV-02): each row on its own, then
// duplicates within the file and against the database, a batch at a time so that memory holds
// one batch of rows plus one key per username and email seen.

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

export type UserLookup = (batch: { usernameKeys: string[]; emailKeys: string[] }) => Promise<{
  byUsername: Map<string, ExistingUser>;
  /** Lower-cased email → usernameKeys of the users that have it. */
  byEmail: Map<string, string[]>;
}>;

export type ClassifiedRow = UploadRow & { existing: ExistingUser | null };

export type UploadCounts = { rowsRead: number; rowsValid: number; rowsInvalid: number; rowsNew: number; rowsExisting: number };

export type ValidationResult = UploadCounts & { problems: UploadProblem[]; problemsOmitted: number };

export type ValidateOptions = {
  chunks: AsyncIterable<Uint8Array>;
  defaultRegion: string;
  maxRows: number;
  lookup: UserLookup;
  /** Rows per database look-up (and per call of `onValidBatch`). */
  batchSize?: number;
  /** Problems kept; the rest are only counted. */
  maxProblems?: number;
  /** Receives the valid rows of each batch, in file order; the import writes them here. */
  onValidBatch?: (rows: ClassifiedRow[], soFar: UploadCounts) => Promise<void>;
  /** Called with the number of rows handled so far, once per batch. */
  onProgress?: (rowsDone: number) => Promise<void> | void;
};

export const MAX_STORED_PROBLEMS = 10_000;

export async function validateUpload(options: ValidateOptions): Promise<ValidationResult> {
  const batchSize = options.batchSize ?? 1000;
  const maxProblems = options.maxProblems ?? MAX_STORED_PROBLEMS;
  const result: ValidationResult = { rowsRead: 0, rowsValid: 0, rowsInvalid: 0, rowsNew: 0, rowsExisting: 0, problems: [], problemsOmitted: 0 };
  // First row of each username (canonical) and email (lower-cased) in the file.
  const seenUsernames = new Map<string, number>();
  const seenEmails = new Map<string, number>();
  let pending: UploadRow[] = [];

  const report = (problems: UploadProblem[]) => {
    for (const problem of problems) {
      if (result.problems.length < maxProblems) result.problems.push(problem);
      else result.problemsOmitted += 1;
    }
  };

  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    const found = await options.lookup({ usernameKeys: batch.map((r) => r.usernameKey), emailKeys: batch.map((r) => r.emailKey) });
    const valid: ClassifiedRow[] = [];
    for (const row of batch) {
      const existing = found.byUsername.get(row.usernameKey) ?? null;
      const owners = found.byEmail.get(row.emailKey) ?? [];
      // The row's own user may keep its address; anyone else's address is a duplicate.
      if (owners.some((key) => key !== row.usernameKey)) {
        result.rowsInvalid += 1;
        report([{ row: row.row, column: 'email', reason: 'This email address already belongs to another user.', value: shortValue(row.email) }]);
        continue;
      }
      result.rowsValid += 1;
      if (existing) result.rowsExisting += 1;
      else result.rowsNew += 1;
      valid.push({ ...row, existing });
    }
    if (valid.length && options.onValidBatch) await options.onValidBatch(valid, result);
    await options.onProgress?.(result.rowsRead);
  };

  for await (const record of readUploadRecords(options.chunks, { maxRows: options.maxRows })) {
    result.rowsRead += 1;
    const checked = validateRow(record.fields, record.row, options.defaultRegion);
    const problems = checked.ok ? [] : [...checked.problems];
    const usernameKey = checked.ok ? checked.value.usernameKey : checked.usernameKey;
    const emailKey = checked.ok ? checked.value.emailKey : checked.emailKey;
    // Later copies are the duplicates: the first one stays importable.
    if (usernameKey !== null) {
      const first = seenUsernames.get(usernameKey);
      if (first !== undefined) problems.push({ row: record.row, column: 'username', reason: `The same username as row ${first}.`, value: shortValue(record.fields[0]!.trim()) });
      else seenUsernames.set(usernameKey, record.row);
    }
    if (emailKey !== null) {
      const first = seenEmails.get(emailKey);
      if (first !== undefined) problems.push({ row: record.row, column: 'email', reason: `The same email address as row ${first}.`, value: shortValue(record.fields[2]!.trim()) });
      else seenEmails.set(emailKey, record.row);
    }
    if (problems.length || !checked.ok) {
      result.rowsInvalid += 1;
      problems.sort((a, b) => columnOrder(a.column) - columnOrder(b.column));
      report(problems);
      continue;
    }
    pending.push(checked.value);
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  // A database duplicate is found when its batch is looked up, after later rows' own problems.
  result.problems.sort((a, b) => a.row - b.row);
  return result;
}

const ORDER = ['*', 'username', 'name', 'email', 'phone', 'role', 'two_factor'];
const columnOrder = (column: string) => ORDER.indexOf(column);
