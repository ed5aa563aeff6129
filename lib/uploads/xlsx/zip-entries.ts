import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { RandomAccessFile } from '../random-access-file';
import { UploadRefused } from '../upload-refused';

// The zip an .xlsx is (docs/decisions/0023), read with yauzl from its central directory, so the
// parts come by name in the order we need them (the shared strings before the sheet, wherever
// they are stored). The file is read by byte range where it is (random-access-file.ts): from the
// database as the zip asks for each part, never whole in memory, and no temporary file. Every
// entry is checked before it is read and counted while it is inflated, so a zip bomb is refused
// after at most its cap of inflated bytes. Part names are compared without case, as the package
// format (OPC) compares them.

export const NOT_A_WORKBOOK =
  'This file could not be read as an Excel workbook (.xlsx). Save it again from Excel as "Excel Workbook (.xlsx)" or as "CSV UTF-8", and upload that.';

/** Entries a workbook may have: Excel's own have a few dozen. */
const MAX_ENTRIES = 10_000;

/** The Zip64 extended information extra field: no part of a workbook we read needs it. */
const ZIP64_EXTRA = 0x0001;

/**
 * yauzl's random access over the file. A failure to read the file (the database) is kept, so it
 * is reported as itself and not as a file that is not a workbook.
 */
class FileReader extends yauzl.RandomAccessReader {
  failure: unknown = null;
  constructor(private readonly file: RandomAccessFile) {
    super();
  }

  _readStreamForRange(start: number, end: number): Readable {
    const { file } = this;
    const keep = (error: unknown) => void (this.failure ??= error);
    async function* range() {
      try {
        yield* file.read(start, end);
      } catch (error) {
        keep(error);
        throw error;
      }
    }
    return Readable.from(range(), { objectMode: false });
  }
}

export type ZipEntries = {
  /** The entries' names, in lower case. */
  names(): IterableIterator<string>;
  /** Whether the zip holds `name`, compared without case. */
  has(name: string): boolean;
  /** The entry's inflated bytes; refused past `cap` bytes (declared or counted). */
  read(name: string, cap: number, what: string): AsyncGenerator<Buffer>;
  close(): void;
};

/** Opens the workbook's zip and lists its entries; refuses what is not a plain zip. */
export async function openZip(file: RandomAccessFile): Promise<ZipEntries> {
  const reader = new FileReader(file);
  /** What a failure while reading the zip is: the file's own failure, or not a workbook. */
  const failed = (error: unknown) =>
    reader.failure ?? new UploadRefused('malformed', NOT_A_WORKBOOK, { cause: error });
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(reader, file.size, {
      lazyEntries: true,
      autoClose: false, // parts are read after the entries are listed
      validateEntrySizes: true,
      strictFileNames: false,
    } as yauzl.Options);
  } catch (error) {
    throw failed(error);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    if (zip.entryCount > MAX_ENTRIES) throw odd(`it has ${zip.entryCount} parts`);
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          checkEntry(entry);
          const name = entry.fileName.replace(/^\/+/, '').toLowerCase();
          if (entries.has(name))
            throw odd(`the part ${entry.fileName.replace(/^\/+/, '')} is in it twice`);
          entries.set(name, entry);
          zip.readEntry();
        } catch (error) {
          reject(error);
        }
      });
      zip.once('end', resolve);
      zip.once('error', reject);
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    if (error instanceof UploadRefused) throw error;
    throw failed(error);
  }

  return {
    names: () => entries.keys(),
    has: (name) => entries.has(name.toLowerCase()),
    close: () => zip.close(),
    async *read(name, cap, what) {
      const entry = entries.get(name.toLowerCase());
      if (!entry) throw new UploadRefused('malformed', NOT_A_WORKBOOK);
      if (entry.uncompressedSize > cap) throw tooBig(what, cap);
      let stream: Readable;
      try {
        stream = await new Promise<Readable>((resolve, reject) =>
          zip.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened))),
        );
      } catch (error) {
        throw failed(error);
      }
      let inflated = 0;
      try {
        for await (const bytes of stream) {
          inflated += (bytes as Buffer).length;
          // yauzl also stops at the declared size; this count holds even if that check changes.
          if (inflated > cap) throw tooBig(what, cap);
          yield bytes as Buffer;
        }
      } catch (error) {
        if (error instanceof UploadRefused) throw error;
        throw failed(error);
      } finally {
        stream.destroy();
      }
    },
  };
}

function checkEntry(entry: yauzl.Entry) {
  if (entry.isEncrypted()) throw odd('it is encrypted (protected with a password)');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
    throw odd(`the part ${entry.fileName} is compressed in a way Excel does not use`);
  if (entry.extraFields.some((field) => field.id === ZIP64_EXTRA))
    throw odd(`the part ${entry.fileName} is stored in the Zip64 format, for parts over 4 GB`);
  if ((entry.generalPurposeBitFlag & 0x0001) !== 0) throw odd('it is encrypted');
}

function odd(what: string) {
  return new UploadRefused(
    'malformed',
    `This workbook cannot be read: ${what}. Open it in Excel, save it as "Excel Workbook (.xlsx)" without a password, and upload that.`,
  );
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;

function tooBig(what: string, cap: number) {
  return new UploadRefused(
    'too-large',
    `This workbook's ${what} unpacks to more than ${megabytes(cap)}, more than a list of users can need (a file built to exhaust the server looks like this). Save the sheet as "CSV UTF-8" and upload that, or split it.`,
  );
}
