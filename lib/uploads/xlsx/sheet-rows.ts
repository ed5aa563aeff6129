import type { SheetRow } from '../read-csv';
import { columnLetter } from '../upload-columns';
import { UploadRefused } from '../upload-refused';
import { formattedNumber } from './cell-text';
import { MAX_COLUMNS, MAX_ROW_CHARS, MAX_SHEET_ROWS, tooLongRow } from './limits';
import { ownCopy, type StringTable } from './string-table';
import { unescapeXstring, XmlFeed } from './xml-feed';

// The first sheet's rows, streamed (docs/decisions/0023): the sheet's XML is parsed as it is
// inflated, and each row leaves as an array of strings, as a CSV line does. No object per cell
// is kept beyond its row, and no blank cell is: a row's array holds its cells up to its last
// one with a value, and after the header (the first row that leaves) only up to the header's
// width; a value beyond it is the row's `beyond`. Characters are counted as they come (a row
// of more than MAX_ROW_CHARS is refused at the cell that passes it), and rows are counted,
// blank ones too, up to Excel's last.

export type SheetContext = { strings: StringTable; formats: string[]; date1904: boolean };

const NO_CACHED_VALUE =
  'This cell has a formula whose result the file does not hold (it was never calculated). Open the file in Excel, let it calculate, save it and upload again, or type the value.';

const NO_SHARED_STRING = 'This cell refers to text the workbook does not hold.';

const errorValue = (code: string) =>
  `This cell shows the error ${code.slice(0, 16)} (a formula that failed). Correct it in Excel and save the file again, or type the value.`;

const malformed = (message: string) =>
  new UploadRefused('malformed', `${message} Save the sheet again from Excel and upload that.`);

/** Zero-based column of a cell reference ("B7" → 1), or -1 when there is none. */
export function columnOf(ref: string | undefined): number {
  if (!ref) return -1;
  let column = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const code = ref.charCodeAt(i);
    if (code >= 65 && code <= 90) column = column * 26 + (code - 64);
    else if (code >= 97 && code <= 122) column = column * 26 + (code - 96);
    else break;
  }
  return i === 0 ? -1 : column - 1;
}

/** Every row of the sheet with a value, numbered as Excel numbers it, a parsed chunk at a time. */
export async function* sheetRows(
  bytes: AsyncIterable<Buffer>,
  context: SheetContext,
): AsyncGenerator<SheetRow[]> {
  const { strings, formats, date1904 } = context;
  let out: SheetRow[] = [];
  /** Columns kept of a row: all of the header's, then the header's width. */
  let width = Infinity;

  let rowsRead = 0;
  let rowNumber = 0;
  let fields: string[] = [];
  let problems: { column: number; reason: string }[] = [];
  let beyond = -1;
  let chars = 0;
  let lastColumn = -1;
  // The cell being read.
  let column = -1;
  let type = 'n';
  let style = 0;
  let hasFormula = false;
  let value: string[] | null = null; // text of <v>, or of <is>'s <t> for an inline string
  let valueChars = 0;
  let inValue = false;
  let inInline = false;
  let inPhonetic = false;
  let inText = false;

  /** The cell's text, or the reason it has none. */
  const cellText = (): { text: string; problem?: string } => {
    const raw = value === null ? null : value.join('');
    if (raw === null || (hasFormula && raw === '' && type !== 'str'))
      return hasFormula ? { text: '', problem: NO_CACHED_VALUE } : { text: '' };
    if (type === 's') {
      const index = raw.trim();
      const string = /^\d+$/.test(index) ? strings.get(Number(index)) : undefined;
      return string === undefined ? { text: '', problem: NO_SHARED_STRING } : { text: string };
    }
    if (type === 'inlineStr' || type === 'str') return { text: ownCopy(unescapeXstring(raw)) };
    const trimmed = raw.trim();
    if (trimmed === '') return { text: '' };
    if (type === 'e') return { text: '', problem: errorValue(trimmed) };
    if (type === 'b') return { text: trimmed === '1' || trimmed === 'true' ? 'true' : 'false' };
    if (type === 'd') return { text: ownCopy(trimmed) };
    const number = Number(trimmed);
    return {
      text: Number.isFinite(number)
        ? formattedNumber(number, formats[style] ?? 'General', date1904)
        : ownCopy(trimmed),
    };
  };

  const endCell = () => {
    const { text, problem } = cellText();
    if (text === '' && !problem) return; // blank: not kept
    chars += text.length;
    if (chars > MAX_ROW_CHARS) throw new UploadRefused('malformed', tooLongRow(rowNumber));
    if (column >= width) {
      // No header names it: a value there is the row's problem, a reason is not read.
      if (beyond < 0 && text.trim() !== '') beyond = column;
      return;
    }
    while (fields.length < column) fields.push('');
    fields[column] = text;
    if (problem) problems.push({ column, reason: problem });
  };

  const feed = new XmlFeed({
    open(name, a) {
      switch (name) {
        case 'row': {
          if (++rowsRead > MAX_SHEET_ROWS) throw beyondLastRow();
          const r = Number(a.r);
          if (a.r !== undefined && Number.isSafeInteger(r) && r > 0) {
            if (r <= rowNumber)
              throw malformed(
                r === rowNumber
                  ? `The sheet has row ${r} twice.`
                  : `The sheet's row ${r} comes after its row ${rowNumber} (rows out of order).`,
              );
            rowNumber = r;
          } else rowNumber += 1;
          if (rowNumber > MAX_SHEET_ROWS) throw beyondLastRow();
          fields = [];
          problems = [];
          beyond = -1;
          chars = 0;
          lastColumn = -1;
          break;
        }
        case 'c': {
          const at = columnOf(a.r);
          if (at >= 0 && at <= lastColumn)
            throw malformed(
              at === lastColumn
                ? `Row ${rowNumber} has cell ${columnLetter(at)}${rowNumber} twice.`
                : `Row ${rowNumber} has cell ${columnLetter(at)}${rowNumber} after cell ${columnLetter(lastColumn)}${rowNumber} (cells out of order).`,
            );
          column = at >= 0 ? at : lastColumn + 1;
          lastColumn = column;
          if (column >= MAX_COLUMNS)
            throw new UploadRefused(
              'malformed',
              `Row ${rowNumber} has cells beyond column XFD, Excel's last. Save the sheet again from Excel.`,
            );
          type = a.t ?? 'n';
          style = a.s ? Number(a.s) : 0;
          hasFormula = false;
          value = null;
          valueChars = 0;
          break;
        }
        case 'f':
          hasFormula = true;
          break;
        case 'v':
          inValue = true;
          value = [];
          valueChars = 0;
          break;
        case 'is':
          inInline = true;
          value = [];
          valueChars = 0;
          break;
        case 'rPh':
          inPhonetic = true;
          break;
        case 't':
          inText = true;
          break;
      }
    },
    close(name) {
      switch (name) {
        case 'c':
          endCell();
          break;
        case 'v':
          inValue = false;
          break;
        case 'is':
          inInline = false;
          break;
        case 'rPh':
          inPhonetic = false;
          break;
        case 't':
          inText = false;
          break;
        case 'row':
          if (problems.length || beyond >= 0 || fields.some((field) => field.trim() !== '')) {
            const row: SheetRow = { row: rowNumber, fields };
            if (problems.length) row.problems = problems;
            if (beyond >= 0) row.beyond = beyond;
            out.push(row);
            if (width === Infinity) width = fields.length; // the header's
          }
          break;
      }
    },
    text(text) {
      // Inside <v>, or inside an inline string's <t> (its phonetic runs left out); counted as it
      // comes, so a cell of many runs is refused before it is joined.
      if (inValue || (inInline && inText && !inPhonetic)) {
        valueChars += text.length;
        if (chars + valueChars > MAX_ROW_CHARS)
          throw new UploadRefused('malformed', tooLongRow(rowNumber));
        value!.push(text);
      }
    },
  });

  for await (const chunk of bytes) {
    feed.write(chunk);
    if (out.length) {
      yield out;
      out = [];
    }
  }
  feed.end();
  if (out.length) yield out;
}

function beyondLastRow() {
  return malformed(
    `The sheet has more than ${MAX_SHEET_ROWS.toLocaleString('en')} rows (blank ones counted), more than Excel's last row.`,
  );
}
