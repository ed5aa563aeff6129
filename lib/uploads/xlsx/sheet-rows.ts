import type { SheetRow } from '../read-csv';
import { UploadRefused } from '../upload-refused';
import { formattedNumber } from './cell-text';
import { ownCopy, type StringTable } from './workbook-parts';
import { unescapeXstring, XmlFeed } from './xml-feed';

// The first sheet's rows, streamed (docs/decisions/0023): the sheet's XML is parsed as it is
// inflated, and each row leaves as an array of strings, as a CSV line does. No object per cell
// is kept beyond its row.

/** Characters a row's cells may hold together, as for a CSV record. */
const MAX_ROW_CHARS = 64 * 1024;

/** Excel's last column is XFD (16,384). */
const MAX_COLUMNS = 16_384;

export type SheetContext = { strings: StringTable; formats: string[]; date1904: boolean };

const NO_CACHED_VALUE =
  'This cell has a formula whose result the file does not hold (it was never calculated). Open the file in Excel, let it calculate, save it and upload again, or type the value.';

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

  let rowNumber = 0;
  let fields: string[] = [];
  let problems: { column: number; reason: string }[] = [];
  let chars = 0;
  // The cell being read.
  let column = -1;
  let type = 'n';
  let style = 0;
  let hasFormula = false;
  let value: string[] | null = null; // text of <v>, or of <is>'s <t> for an inline string
  let inValue = false;
  let inInline = false;
  let inPhonetic = false;
  let inText = false;

  const endCell = () => {
    let text = '';
    const raw = value === null ? null : value.join('');
    if (raw === null || (hasFormula && raw === '' && type !== 'str')) {
      if (hasFormula) problems.push({ column, reason: NO_CACHED_VALUE });
    } else if (type === 's') {
      const string = strings.get(Number(raw));
      if (string === undefined)
        problems.push({ column, reason: 'This cell refers to text the workbook does not hold.' });
      else text = string;
    } else if (type === 'inlineStr' || type === 'str') text = ownCopy(unescapeXstring(raw));
    else if (type === 'b') text = raw.trim() === '1' || raw.trim() === 'true' ? 'true' : 'false';
    else if (type === 'e' || type === 'd') text = ownCopy(raw.trim());
    else {
      const number = Number(raw);
      text = Number.isFinite(number)
        ? formattedNumber(number, formats[style] ?? 'General', date1904)
        : ownCopy(raw.trim());
    }
    while (fields.length < column) fields.push('');
    fields[column] = text;
    chars += text.length;
  };

  const feed = new XmlFeed({
    open(name, a) {
      switch (name) {
        case 'row': {
          const r = Number(a.r);
          rowNumber = Number.isSafeInteger(r) && r > rowNumber ? r : rowNumber + 1;
          fields = [];
          problems = [];
          chars = 0;
          column = -1;
          break;
        }
        case 'c': {
          const at = columnOf(a.r);
          column = at >= 0 ? at : column + 1;
          if (column >= MAX_COLUMNS)
            throw new UploadRefused(
              'malformed',
              `Row ${rowNumber} has cells beyond column XFD, Excel's last. Save the sheet again from Excel.`,
            );
          type = a.t ?? 'n';
          style = a.s ? Number(a.s) : 0;
          hasFormula = false;
          value = null;
          break;
        }
        case 'f':
          hasFormula = true;
          break;
        case 'v':
          inValue = true;
          value = [];
          break;
        case 'is':
          inInline = true;
          value = [];
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
          if (chars > MAX_ROW_CHARS)
            throw new UploadRefused(
              'malformed',
              `Row ${rowNumber} holds more than ${MAX_ROW_CHARS.toLocaleString('en')} characters, more than a row of users can need.`,
            );
          if (problems.length || fields.some((field) => field.trim() !== ''))
            out.push(
              problems.length ? { row: rowNumber, fields, problems } : { row: rowNumber, fields },
            );
          break;
      }
    },
    text(text) {
      // Inside <v>, or inside an inline string's <t> (its phonetic runs left out).
      if (inValue || (inInline && inText && !inPhonetic)) value!.push(text);
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
