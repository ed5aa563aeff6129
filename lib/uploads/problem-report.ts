import type { UploadProblem } from './validate-row';

// Every CSV the app writes goes through `csvCell` (CSV-04). A spreadsheet runs a cell that starts
// with = + - @ (or a tab, CR or NUL that some of them skip before one of those) as a formula:
// such a cell gets a leading apostrophe, which makes it text. Then RFC 4180 quoting: a cell with
// a comma, quote, CR or LF is quoted and its quotes doubled.

const FORMULA_START = /^[=+\-@\t\r\0]/;

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The problem report: one line per problem, then a note when problems were not stored. */
export function* problemReportLines(
  problems: readonly UploadProblem[],
  omitted: number,
): Generator<string> {
  yield csvLine(['row', 'column', 'value', 'reason']);
  for (const p of problems) yield csvLine([p.row, p.column, p.value ?? '', p.reason]);
  if (omitted > 0)
    yield csvLine([
      '',
      '*',
      '',
      `${omitted} more problems were found but not stored; fix the rows above and upload the file again.`,
    ]);
}
