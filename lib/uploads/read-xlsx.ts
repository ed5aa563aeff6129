import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { SheetRow } from './read-csv';
import { UploadRefused } from './upload-refused';

// Reads the first sheet of an Excel workbook (.xlsx) User Upload into rows (docs/decisions/0023),
// with exceljs's streaming reader: the zip is read as it arrives and each row is handed on as it
// is parsed, so memory holds the shared strings table (one JavaScript string per distinct text)
// and one row, not the sheet.

/** A ZIP file (every .xlsx is one) begins with a local file header. */
export function looksLikeXlsx(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

const NOT_A_WORKBOOK =
  'This file could not be read as an Excel workbook (.xlsx). Save it again from Excel as "Excel Workbook (.xlsx)" or as "CSV UTF-8", and upload that.';

/** Characters a row's cells may hold together, as for a CSV record. */
const MAX_ROW_CHARS = 64 * 1024;

/**
 * Every row of the workbook's first sheet that has a value, numbered as Excel numbers it, each
 * cell as text (cellText). Rows without a value are skipped.
 */
export async function* readXlsxRows(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SheetRow[]> {
  // Loaded on the first workbook: exceljs and what it requires take ~27 MB that a server taking
  // only CSVs need not carry.
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(chunks), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles say which numbers are dates; hyperlinks and everything else are not needed.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  // Iterated by hand, not with for await: leaving a for-await loop early (a refusal, the row cap)
  // would end exceljs's generator where it stands, before it deletes the temporary file it put
  // the sheet in (Excel stores the sheet before the shared strings it needs). So an early exit
  // drains the rest instead, and nothing of the file stays on disk.
  const sheets = reader[Symbol.asyncIterator]();
  let rows: AsyncIterator<ExcelJS.Row> | null = null;
  let read = false;
  let finished = false;
  try {
    for (let sheet = await sheets.next(); !sheet.done; sheet = await sheets.next()) {
      // The first sheet in the workbook's order (sheet files may be stored in another order).
      const first = (reader as unknown as { model?: { sheets?: { name: string }[] } }).model
        ?.sheets?.[0]?.name;
      const name = (sheet.value as unknown as { name?: string }).name;
      if (read || (first !== undefined && name !== undefined && name !== first)) {
        // Not read: its temporary file's stream is closed (an entry still in the zip is drained).
        (sheet.value as unknown as { iterator?: { destroy?: () => void } }).iterator?.destroy?.();
        continue;
      }
      read = true;
      rows = sheet.value[Symbol.asyncIterator]();
      for (let row = await rows.next(); !row.done; row = await rows.next()) {
        const values = row.value.values as unknown[];
        const fields: string[] = [];
        let chars = 0;
        for (let col = 1; col < values.length; col++) {
          const text = cellText(values[col]);
          chars += text.length;
          fields.push(text);
        }
        if (chars > MAX_ROW_CHARS)
          throw new UploadRefused(
            'malformed',
            `Row ${row.value.number} holds more than ${MAX_ROW_CHARS.toLocaleString('en')} characters, more than a row of users can need.`,
          );
        if (fields.every((field) => field.trim() === '')) continue;
        yield [{ row: row.value.number, fields }];
      }
      rows = null;
    }
    finished = true;
  } catch (error) {
    if (error instanceof UploadRefused) throw error;
    throw new UploadRefused('malformed', NOT_A_WORKBOOK, { cause: error });
  } finally {
    if (!finished) await drain(rows, sheets);
  }
  if (!read) throw new UploadRefused('malformed', NOT_A_WORKBOOK);
}

/** Reads what is left of the workbook, ignoring it and any error, so exceljs cleans up. */
async function drain(rows: AsyncIterator<unknown> | null, sheets: AsyncIterator<unknown>) {
  try {
    if (rows) while (!(await rows.next()).done);
    while (!(await sheets.next()).done);
  } catch {
    // A damaged file: nothing more to read.
  }
}

/**
 * A cell as the admin sees it, as text: numbers in full (a phone number typed as a number has
 * no exponent), dates as ISO 8601 (a date alone without its time), booleans as true/false, a
 * formula as its last computed result, rich text as its plain text, an error as its code
 * (#N/A: the row check then reports it).
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
  }
  if (typeof value === 'object') {
    const cell = value as {
      result?: unknown;
      formula?: string;
      sharedFormula?: string;
      richText?: { text?: string }[];
      text?: unknown;
      error?: string;
    };
    if ('formula' in cell || 'sharedFormula' in cell) return cellText(cell.result);
    if (Array.isArray(cell.richText)) return cell.richText.map((run) => run.text ?? '').join('');
    if (typeof cell.error === 'string') return cell.error;
    if ('text' in cell) return cellText(cell.text);
  }
  return String(value);
}

/** Integers without exponent up to 1e21 (phone numbers have at most 15 digits). */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  return String(value);
}
