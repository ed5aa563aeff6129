// The User Upload file format (CSV-01): exactly these columns, in this order, UTF-8 with or
// without a BOM. Kept in one place so the template, the header check and the docs agree.

export const UPLOAD_COLUMNS = ['username', 'name', 'email', 'phone', 'role', 'two_factor'] as const;
export type UploadColumn = (typeof UPLOAD_COLUMNS)[number];

/** Spreadsheet row of the first data row: the header is row 1, as a spreadsheet numbers it. */
export const FIRST_DATA_ROW = 2;

// What a cell may hold is the user rules' business (lib/users/user-rules.ts), shared with the
// admin's user form; the words for two_factor are shown on the upload page.
export { TWO_FACTOR_VALUES } from '@/lib/users/user-rules';

/** The template offered for download: the header and two example rows. */
export const TEMPLATE_CSV =
  [
    UPLOAD_COLUMNS.join(','),
    'jdoe,Jane Doe,jane.doe@example.com,+1 415 555 0132,user,true',
    'asmith,Alex Smith,alex.smith@example.com,,user,false',
  ].join('\r\n') + '\r\n';

/**
 * Null when `header` is exactly the expected columns; otherwise a message that names what is
 * missing, unexpected or out of order. Names are compared as typed (after trimming), so a
 * "Username" column is reported rather than guessed at.
 */
export function checkHeader(header: readonly string[]): string | null {
  const got = header.map((h) => h.trim());
  if (got.length === UPLOAD_COLUMNS.length && got.every((h, i) => h === UPLOAD_COLUMNS[i]))
    return null;
  const expected = `Expected the columns ${UPLOAD_COLUMNS.join(',')} in that order.`;
  const missing = UPLOAD_COLUMNS.filter((c) => !got.includes(c));
  const unexpected = got.filter((h) => !(UPLOAD_COLUMNS as readonly string[]).includes(h));
  const parts: string[] = [];
  if (missing.length) parts.push(`missing: ${missing.join(', ')}`);
  if (unexpected.length)
    parts.push(
      `unexpected: ${unexpected.map((h) => (h === '' ? '(empty)' : shorten(h))).join(', ')}`,
    );
  if (!parts.length)
    parts.push(
      new Set(got).size < got.length ? 'a column appears twice' : 'the columns are out of order',
    );
  return `The first line is not the expected header (${parts.join('; ')}). ${expected}`;
}

function shorten(text: string): string {
  const points = [...text];
  return points.length > 40 ? `${points.slice(0, 40).join('')}…` : text;
}
