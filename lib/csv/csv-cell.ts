// Every CSV the app writes goes through `csvCell` (CSV-04). A spreadsheet runs a cell that starts
// with = + - @ as a formula, and some skip leading spaces, tabs, CR, LF or NUL before looking
// (OWASP's CSV injection guidance): such a cell gets a leading apostrophe, which makes it text.
// Then RFC 4180 quoting: a cell with a comma, quote, CR or LF is quoted and its quotes doubled.

const FORMULA_START = /^[\s\0]*[=+\-@]|^[\t\r\n\0]/;

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
