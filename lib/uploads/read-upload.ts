import type { EncodingSource, TextEncoding } from './decode-text';
import { readCsvRows, type SheetRow } from './read-csv';
import { looksLikeXlsx } from './looks-like-xlsx';
import type { RandomAccessFile } from './random-access-file';
import { columnLetter, matchHeader, UPLOAD_COLUMNS, type UploadColumn } from './upload-columns';
import { UploadRefused } from './upload-refused';

// A User Upload's data records, whatever the file (CSV-01, docs/decisions/0023): a CSV in any of
// the encodings decode-text.ts reads, or an Excel workbook's first sheet; the header matched by
// name in any order; the row cap. Each record's cells come out in UPLOAD_COLUMNS order, as the
// row check wants them.

/** How the file was read, for the upload's report. */
export type FileInfo = {
  format: 'csv' | 'xlsx';
  encoding: TextEncoding | null;
  /** How the encoding was known when not read from the file itself (absent: detected). */
  encodingSource?: Exclude<EncodingSource, 'detected'>;
  /** Header cells that name no column: their cells were not read. */
  unknownColumns: string[];
};

/**
 * A data row, its cells in UPLOAD_COLUMNS order (an absent column's cell is empty). `problem`:
 * the row as a whole cannot be read as the header says (a value without a header, a CSV line
 * with fewer cells than the header), reported instead of checking its cells.
 */
export type UploadRecord = {
  row: number;
  fields: string[];
  problem?: string;
  /** Cells of ours whose value could not be read (a workbook's formula without a result). */
  cellProblems?: { column: UploadColumn; reason: string }[];
};

export async function* readUploadRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: {
    maxRows: number;
    onFileInfo?: (info: FileInfo) => void;
    /** The upload's byte limit: a workbook's inflated parts are capped at multiples of it. */
    maxFileBytes?: number;
    /** The admin's choice on the upload form; detected when absent. */
    encoding?: TextEncoding;
    /** The same file by byte range where it is stored, for a workbook (read-xlsx.ts). */
    file?: RandomAccessFile;
  },
): AsyncGenerator<UploadRecord> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head = await iterator.next();
  if (head.done)
    throw new UploadRefused(
      'empty',
      'The file is empty. Start from the template: the first line is the header.',
    );
  async function* all(): AsyncGenerator<Uint8Array> {
    yield head.value as Uint8Array;
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield next.value;
  }
  const info: FileInfo = {
    format: looksLikeXlsx(head.value) ? 'xlsx' : 'csv',
    encoding: null,
    unknownColumns: [],
  };
  const slices: AsyncGenerator<SheetRow[]> =
    info.format === 'xlsx'
      ? xlsxRows(all(), {
          maxFileBytes: options.maxFileBytes,
          maxRows: options.maxRows,
          file: options.file,
        })
      : readCsvRows(
          all(),
          (encoding, source) => {
            info.encoding = encoding;
            if (source !== 'detected') info.encodingSource = source;
          },
          options.encoding,
        );

  let match: ReturnType<typeof matchHeader> | null = null;
  let headerLength = 0;
  let dataRows = 0;
  for await (const slice of slices)
    for (const { row, fields, problems, beyond } of slice) {
      if (match === null) {
        match = matchHeader(fields);
        if (!match.ok) throw new UploadRefused('header', match.error);
        info.unknownColumns = match.match.unknown;
        headerLength = Math.max(...match.match.named) + 1;
        continue;
      }
      if (!match.ok) continue; // not reached: a refused header throws
      const { positions, named } = match.match;
      // A cell that could not be read counts where it is one of ours; elsewhere it is ignored.
      const cellProblems = (problems ?? []).flatMap(({ column, reason }) => {
        const at = positions.indexOf(column);
        return at >= 0 ? [{ column: UPLOAD_COLUMNS[at]!, reason }] : [];
      });
      if (
        !cellProblems.length &&
        beyond === undefined &&
        fields.every((cell) => cell.trim() === '')
      )
        continue;
      dataRows += 1;
      if (dataRows > options.maxRows)
        throw new UploadRefused(
          'too-many-rows',
          `This file has more than ${options.maxRows.toLocaleString('en')} data rows, the most one upload may have. Split it into smaller files.`,
        );
      const cells = positions.map((at) => (at >= 0 ? (fields[at] ?? '') : ''));
      const inside = fields.findIndex((cell, at) => !named.has(at) && cell.trim() !== '');
      const stray = inside >= 0 ? inside : (beyond ?? -1);
      if (stray >= 0)
        yield {
          row,
          fields: cells,
          problem: `Column ${columnLetter(stray)} has a value but no header: name the column or clear it.`,
        };
      else if (info.format === 'csv' && fields.length < headerLength)
        yield {
          row,
          fields: cells,
          problem: `Expected ${headerLength} values as in the header, found ${fields.length}.`,
        };
      else if (cellProblems.length) yield { row, fields: cells, cellProblems };
      else yield { row, fields: cells };
    }
  if (match === null)
    throw new UploadRefused(
      'empty',
      'The file is empty. Start from the template: the first line is the header.',
    );
  options.onFileInfo?.(info);
}

/** The workbook reader, loaded with its zip and XML parsers only when a workbook arrives. */
async function* xlsxRows(
  chunks: AsyncIterable<Uint8Array>,
  options: Parameters<typeof import('./read-xlsx').readXlsxRows>[1],
): AsyncGenerator<SheetRow[]> {
  const { readXlsxRows } = await import('./read-xlsx');
  yield* readXlsxRows(chunks, options);
}
