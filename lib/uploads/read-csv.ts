import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse';
import { checkHeader, FIRST_DATA_ROW } from './upload-columns';

// Reads a User Upload's bytes into records (CSV-01): strict UTF-8 (a BOM is dropped), no NUL
// bytes, the expected header, a row cap. Bytes arrive chunk by chunk and records leave one by
// one, so memory does not grow with the file.

export type RefusalCode =
  | 'too-large'
  | 'too-many-rows'
  | 'binary'
  | 'encoding'
  | 'header'
  | 'empty'
  | 'malformed'
  | 'checksum'
  | 'incomplete';

/** The file as a whole is refused: nothing of it is kept. */
export class UploadRefused extends Error {
  readonly code: RefusalCode;
  constructor(code: RefusalCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UploadRefused';
    this.code = code;
  }
}

export type CsvRecord = { row: number; fields: string[] };

const BINARY_MESSAGE =
  'This is not a text file (it contains NUL bytes). Save the sheet as CSV (UTF-8) and upload that.';
const ENCODING_MESSAGE =
  'This file is not UTF-8 text. Save the sheet as "CSV UTF-8" and upload that.';

/**
 * The bytes, checked: throws UploadRefused at the first NUL byte or invalid UTF-8 sequence.
 * The bytes pass on as they are (no decoded copy of each chunk): csv-parse decodes each field
 * once it is complete, so a character split between two chunks is never cut.
 */
export async function* checkUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0); // the start of a character the chunk did not finish
  for await (const chunk of chunks) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.includes(0)) throw new UploadRefused('binary', BINARY_MESSAGE);
    // The character that began in the previous chunk, completed by this one's first bytes.
    const joined = carry.length
      ? Math.min(bytes.length, sequenceLength(carry[0]!) - carry.length)
      : 0;
    if (carry.length && carry.length + joined === sequenceLength(carry[0]!)) {
      if (!isUtf8(Buffer.concat([carry, bytes.subarray(0, joined)])))
        throw new UploadRefused('encoding', ENCODING_MESSAGE);
      carry = Buffer.alloc(0);
    } else if (carry.length) {
      carry = Buffer.concat([carry, bytes]); // a chunk of one or two bytes: keep collecting
      if (carry.length > 3) throw new UploadRefused('encoding', ENCODING_MESSAGE);
      yield bytes;
      continue;
    }
    const end = completeLength(bytes, joined);
    if (!isUtf8(bytes.subarray(joined, end))) throw new UploadRefused('encoding', ENCODING_MESSAGE);
    carry = Buffer.from(bytes.subarray(end));
    yield bytes;
  }
  if (carry.length) throw new UploadRefused('encoding', ENCODING_MESSAGE);
}

/** Bytes of the UTF-8 sequence `lead` begins (1 for a byte that cannot begin one: isUtf8 refuses it). */
const sequenceLength = (lead: number) =>
  lead >= 0xf0 && lead <= 0xf7
    ? 4
    : lead >= 0xe0 && lead <= 0xef
      ? 3
      : lead >= 0xc0 && lead <= 0xdf
        ? 2
        : 1;

/** Where the last whole character of `bytes` (from `from`) ends: an unfinished one is carried over. */
function completeLength(bytes: Buffer, from: number): number {
  for (let back = 1; back <= 3 && bytes.length - back >= from; back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    return sequenceLength(byte) > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

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
 * The data records of a User Upload, after checking the header. `row` is the spreadsheet row
 * number (header = 1). Blank lines are skipped but still counted, so the numbers match what a
 * spreadsheet shows.
 */
export async function* readUploadRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: { maxRows: number },
): AsyncGenerator<CsvRecord> {
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

  let row = FIRST_DATA_ROW - 2;
  let dataRows = 0;
  function* take(): Generator<CsvRecord> {
    const taken = records;
    records = [];
    for (const fields of taken) {
      row += 1;
      if (row === FIRST_DATA_ROW - 1) {
        const problem = checkHeader(fields);
        if (problem) throw new UploadRefused('header', problem);
        continue;
      }
      if (fields.length === 1 && fields[0]!.trim() === '') continue;
      dataRows += 1;
      if (dataRows > options.maxRows) {
        throw new UploadRefused(
          'too-many-rows',
          `This file has more than ${options.maxRows.toLocaleString('en')} data rows, the most one upload may have. Split it into smaller files.`,
        );
      }
      yield { row, fields };
    }
  }

  for await (const bytes of checkUtf8(chunks)) {
    for (let at = 0; at < bytes.length; at += PARSE_SLICE) {
      failed(parser.parse(bytes.subarray(at, at + PARSE_SLICE), false, push, close));
      yield* take();
    }
  }
  failed(parser.parse(undefined, true, push, close));
  yield* take();
  if (row < FIRST_DATA_ROW - 1)
    throw new UploadRefused(
      'empty',
      'The file is empty. Start from the template: the first line is the header.',
    );
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
