import { parse } from 'csv-parse';
import { decodeToUtf8, type EncodingSource, type TextEncoding } from './decode-text';
import { UploadRefused } from './upload-refused';

// Reads a CSV User Upload into rows (CSV-01): its text encoding detected and decoded to UTF-8
// (decode-text.ts), then parsed. Bytes arrive chunk by chunk and rows leave one by one, so
// memory does not grow with the file.

export { UploadRefused, type RefusalCode } from './upload-refused';

/**
 * One line of the sheet: `row` is its spreadsheet row number (the first line is row 1).
 * `problems`: cells whose value could not be read (a workbook's formula without a result), by
 * their zero-based column.
 */
export type SheetRow = {
  row: number;
  fields: string[];
  problems?: { column: number; reason: string }[];
  /** A workbook row's first column beyond the header's width with a value (not in `fields`). */
  beyond?: number;
};

/** Bytes csv-parse is given at once: a slice's records die young instead of piling up. */
const PARSE_SLICE = 16 * 1024;

type ParserApi = {
  parse(
    buf: Buffer | undefined,
    end: boolean,
    push: (record: string[]) => void,
    close: () => void,
  ): Error | undefined;
};

/**
 * Every non-blank line of a CSV file, the header included, numbered as a spreadsheet numbers
 * them: blank lines are skipped but still counted. Handed on a parsed slice at a time (an
 * async generator's step per row costs promises that a 100,000-row file feels).
 */
export async function* readCsvRows(
  chunks: AsyncIterable<Uint8Array>,
  onEncoding: (encoding: TextEncoding, source: EncodingSource) => void,
  chosen?: TextEncoding,
): AsyncGenerator<SheetRow[]> {
  // relax_column_count: a short or long row is that row's problem, not the file's. bom: a UTF-8
  // byte-order mark is dropped. csv-parse's synchronous core (`api`, csv-parse is pinned) instead
  // of its stream: no stream buffers, copies or promise per record, and far less garbage
  // (docs/performance.md).
  const parser = (
    parse({ relax_column_count: true, max_record_size: 64 * 1024, bom: true }) as unknown as {
      api: ParserApi;
    }
  ).api;
  let records: string[][] = [];
  const push = (record: string[]) => void records.push(record);
  const close = () => {};

  let row = 0;
  function take(): SheetRow[] {
    const taken: SheetRow[] = [];
    for (const fields of records) {
      row += 1;
      if (fields.every((field) => field.trim() === '')) continue; // blank, or only commas
      taken.push({ row, fields });
    }
    records = [];
    return taken;
  }

  for await (const bytes of decodeToUtf8(chunks, onEncoding, chosen)) {
    for (let at = 0; at < bytes.length; at += PARSE_SLICE) {
      failed(parser.parse(bytes.subarray(at, at + PARSE_SLICE), false, push, close));
      if (records.length) yield take();
    }
  }
  failed(parser.parse(undefined, true, push, close));
  if (records.length) yield take();
}

function failed(error: Error | undefined) {
  if (!error) return;
  const code = (error as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    const line = (error as { lines?: number }).lines;
    throw new UploadRefused(
      'malformed',
      `The file is not valid CSV${line ? ` near line ${line}` : ''}: ${error.message.replace(/^Invalid /, 'invalid ')}`,
      { cause: error },
    );
  }
  throw error;
}
