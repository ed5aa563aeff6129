// What one workbook may hold before it is refused (docs/decisions/0023): each bounds memory or
// time of reading it, far beyond what a list of users needs.

/** Characters a row's cells may hold together, as for a CSV record; so also one cell. */
export const MAX_ROW_CHARS = 64 * 1024;

/** Excel's last column is XFD (16,384). */
export const MAX_COLUMNS = 16_384;

/** Excel's last row: rows read, blank ones included, stop here. */
export const MAX_SHEET_ROWS = 1_048_576;

/** Shared strings per data row the upload may have (a row of users needs a handful). */
export const STRINGS_PER_ROW = 64;

/** Shared strings at least, however few rows the upload may have. */
export const MIN_STRINGS = 65_536;

export const tooLongRow = (row: number) =>
  `Row ${row} holds more than ${MAX_ROW_CHARS.toLocaleString('en')} characters, more than a row of users can need.`;
