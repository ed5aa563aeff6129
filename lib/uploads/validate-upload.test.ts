import { describe, expect, it } from 'vitest';
import { UPLOAD_COLUMNS } from './upload-columns';
import type { UploadRow } from './validate-row';
import { validateUpload, withDatabaseCheck } from './validate-upload';

async function* file(lines: string[], chunkBytes = 7): AsyncGenerator<Uint8Array> {
  // Small chunks that split lines (and multi-byte characters) anywhere, as the browser may.
  const bytes = new TextEncoder().encode(
    `${[UPLOAD_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`,
  );
  for (let i = 0; i < bytes.length; i += chunkBytes) yield bytes.subarray(i, i + chunkBytes);
}

describe('validateUpload (CSV-02)', () => {
  it('CSV-02 hands on the rows that pass, in file order and batches, and reports duplicates within the file by row', async () => {
    const batches: UploadRow[][] = [];
    const result = await validateUpload({
      chunks: file([
        'ann,Ann Ö,ann@example.com,,user,no', // row 2
        'bob,,bob@example.com,,user,no', // row 3
        'ANN,,other@example.com,,user,no', // row 4: same username as row 2
        'cyd,,BOB@example.com,,user,no', // row 5: same email as row 3
        'x,,not-an-email,,user,no', // row 6: its own problems
        'dee,,dee@example.com,,user,no', // row 7
      ]),
      defaultRegion: 'US',
      maxRows: 100,
      batchSize: 2,
      onValidBatch: async (batch) => {
        const rows = JSON.parse(batch.json) as UploadRow[];
        expect(batch.rowCount).toBe(rows.length);
        batches.push(rows);
      },
    });
    expect(result).toMatchObject({ rowsRead: 6, rowsValid: 3, rowsInvalid: 3, problemsOmitted: 0 });
    expect(batches.map((b) => b.map((r) => r.row))).toEqual([[2, 3], [7]]);
    expect(batches[0]![0]).toMatchObject({
      username: 'ann',
      name: 'Ann Ö',
      emailKey: 'ann@example.com',
    });
    expect(result.problems.map((p) => [p.row, p.column, p.reason])).toEqual([
      [4, 'username', 'The same username as row 2.'],
      [5, 'email', 'The same email address as row 3.'],
      // The admin's user form says the same of these values (lib/users/user-rules.test.ts).
      [6, 'username', 'Use 3 to 64 characters.'],
      [6, 'email', 'Enter an email address like name@example.com.'],
    ]);
  });

  it('CSV-02 keeps the first problems and counts the rest', async () => {
    const result = await validateUpload({
      chunks: file(['!,,a,,user,no', '!,,b,,user,no']),
      defaultRegion: 'US',
      maxRows: 100,
      maxProblems: 3,
    });
    expect(result).toMatchObject({ rowsInvalid: 2, problemsOmitted: 1 });
    expect(result.problems).toHaveLength(3);
  });
});

describe('withDatabaseCheck (CSV-02)', () => {
  it('CSV-02 counts a row whose email belongs to another user as invalid, merges its problem in row order, and keeps the cap', () => {
    const file = {
      rowsRead: 10,
      rowsValid: 8,
      rowsInvalid: 2,
      problems: [
        { row: 3, column: 'username' as const, reason: 'a' },
        { row: 9, column: 'email' as const, reason: 'b' },
      ],
      problemsOmitted: 0,
    };
    const found = {
      emailTaken: 2,
      existing: 3,
      problems: [
        { row: 5, column: 'email' as const, reason: 'taken' },
        { row: 11, column: 'email' as const, reason: 'taken' },
      ],
    };
    expect(withDatabaseCheck(file, found)).toEqual({
      rowsRead: 10,
      rowsValid: 6,
      rowsInvalid: 4,
      rowsNew: 3,
      rowsExisting: 3,
      problems: [file.problems[0], found.problems[0], file.problems[1], found.problems[1]],
      problemsOmitted: 0,
    });
    expect(withDatabaseCheck(file, found, 3)).toMatchObject({
      problems: [{ row: 3 }, { row: 5 }, { row: 9 }],
      problemsOmitted: 1,
    });
  });
});
