import type { SheetRow } from './read-csv';
import { piecesFile, type RandomAccessFile } from './random-access-file';
import { FILE_CHANGED, UploadRefused } from './upload-refused';
import { MIN_STRINGS, STRINGS_PER_ROW } from './xlsx/limits';
import { sheetRows } from './xlsx/sheet-rows';
import { sharedStrings, styleFormats, workbookLayout } from './xlsx/workbook-parts';
import { openZip } from './xlsx/zip-entries';

// Reads the first sheet of an Excel workbook (.xlsx) User Upload into rows (docs/decisions/0023)
// with a reader of our own on yauzl (the zip, by its central directory) and saxes (the XML):
// the file is read by byte range where it is stored (or held as the pieces it came in, when the
// caller has it nowhere else), the shared strings and number formats are read first, then the
// first sheet is inflated and parsed as a stream, each row leaving as an array of strings.
// Inflated bytes are counted against caps (a zip bomb is refused before it is unpacked),
// separately for the shared strings held in memory.

/** The upload byte limit when the caller names none (UPLOAD_MAX_BYTES' default). */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * Caps on inflated bytes, as multiples of the upload's byte limit. A sheet of users compresses
 * ~6–8× (the bench's 100,000 rows: 4.2 MB zipped); the sheet is streamed, so its cap is only
 * about time. The shared strings are held in memory while the sheet is read: a smaller cap.
 */
export const SHEET_INFLATE_FACTOR = 16;
export const STRINGS_INFLATE_FACTOR = 2;

/** The upload row limit when the caller names none (UPLOAD_MAX_ROWS' default). */
const DEFAULT_MAX_ROWS = 100_000;

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Every row of the workbook's first sheet that has a value (or a cell that cannot be read),
 * numbered as Excel numbers it, each cell as the text Excel shows (xlsx/cell-text.ts).
 */
export async function* readXlsxRows(
  chunks: AsyncIterable<Uint8Array>,
  options: {
    maxFileBytes?: number;
    maxRows?: number;
    /**
     * The same file, read by byte range where it is stored. The chunks are then only passed
     * through (the caller may be hashing them) and not held; without it they are held.
     */
    file?: RandomAccessFile;
  } = {},
): AsyncGenerator<SheetRow[]> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let file: RandomAccessFile;
  if (options.file) {
    let passed = 0;
    for await (const chunk of chunks) passed += chunk.byteLength;
    file = options.file;
    // What is parsed must be what passed (and was hashed): the caller's two views of one file.
    if (file.size !== passed) throw new UploadRefused('checksum', FILE_CHANGED);
  } else {
    const pieces: Buffer[] = [];
    for await (const chunk of chunks) pieces.push(asBuffer(chunk));
    file = piecesFile(pieces);
  }
  const zip = await openZip(file);
  try {
    const layout = await workbookLayout(zip);
    const formats = await styleFormats(zip, layout.stylesPath);
    const strings = await sharedStrings(
      zip,
      layout.sharedStringsPath,
      STRINGS_INFLATE_FACTOR * maxFileBytes,
      Math.max(MIN_STRINGS, STRINGS_PER_ROW * (options.maxRows ?? DEFAULT_MAX_ROWS)),
    );
    yield* sheetRows(zip.read(layout.sheetPath, SHEET_INFLATE_FACTOR * maxFileBytes, 'sheet'), {
      strings,
      formats,
      date1904: layout.date1904,
    });
  } finally {
    zip.close();
  }
}
