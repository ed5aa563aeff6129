import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { checkHeader, FIRST_DATA_ROW } from './upload-columns';

// Streams a User Upload's bytes into records (CSV-01): strict UTF-8 (a BOM is dropped), no NUL
// bytes, the expected header, a row cap. Bytes arrive chunk by chunk and records leave one by
// one, so memory does not grow with the file.

export type RefusalCode = 'too-large' | 'too-many-rows' | 'binary' | 'encoding' | 'header' | 'empty' | 'malformed' | 'checksum' | 'incomplete';

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

const BINARY_MESSAGE = 'This is not a text file (it contains NUL bytes). Save the sheet as CSV (UTF-8) and upload that.';
const ENCODING_MESSAGE = 'This file is not UTF-8 text. Save the sheet as "CSV UTF-8" and upload that.';

/** Throws UploadRefused at the first NUL byte or invalid UTF-8 sequence. */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  // `fatal` makes a malformed sequence an error instead of U+FFFD; `stream` carries a sequence
  // split across two chunks over to the next one.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  for await (const chunk of chunks) {
    if (chunk.includes(0)) throw new UploadRefused('binary', BINARY_MESSAGE);
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (cause) {
      throw new UploadRefused('encoding', ENCODING_MESSAGE, { cause });
    }
    if (text) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (cause) {
    throw new UploadRefused('encoding', ENCODING_MESSAGE, { cause });
  }
}

/**
 * The data records of a User Upload, after checking the header. `row` is the spreadsheet row
 * number (header = 1). Blank lines are skipped but still counted, so the numbers match what a
 * spreadsheet shows.
 */
export async function* readUploadRecords(chunks: AsyncIterable<Uint8Array>, options: { maxRows: number }): AsyncGenerator<CsvRecord> {
  const source = Readable.from(decodeUtf8(chunks));
  // relax_column_count: a short or long row is that row's problem, not the file's.
  const parser = parse({ relax_column_count: true, max_record_size: 64 * 1024 });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);

  let row = FIRST_DATA_ROW - 2;
  let dataRows = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      row += 1;
      if (row === FIRST_DATA_ROW - 1) {
        const problem = checkHeader(fields);
        if (problem) throw new UploadRefused('header', problem);
        continue;
      }
      if (fields.length === 1 && fields[0]!.trim() === '') continue;
      dataRows += 1;
      if (dataRows > options.maxRows) {
        throw new UploadRefused('too-many-rows', `This file has more than ${options.maxRows.toLocaleString('en')} data rows, the most one upload may have. Split it into smaller files.`);
      }
      yield { row, fields };
    }
  } catch (error) {
    if (error instanceof UploadRefused) throw error;
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      const line = (error as { lines?: number }).lines;
      throw new UploadRefused('malformed', `The file is not valid CSV${line ? ` near line ${line}` : ''}: ${(error as Error).message.replace(/^Invalid /, 'invalid ')}`, { cause: error });
    }
    throw error;
  } finally {
    source.destroy();
    parser.destroy();
  }
  if (row < FIRST_DATA_ROW - 1) throw new UploadRefused('empty', 'The file is empty. Start from the template: the first line is the header.');
}
