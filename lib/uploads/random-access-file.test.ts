import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunksOf } from '../../tests/support/read-records';
import { HEADER_ROW, inlineRow, workbookFromParts } from '../../tests/support/xlsx-parts';
import { pieceAt, piecesFile, type RandomAccessFile } from './random-access-file';
import { readXlsxRows } from './read-xlsx';
import { FILE_CHANGED, UploadRefused } from './upload-refused';
import type { SheetRow } from './read-csv';

// A file read by byte range (random-access-file.ts), and the workbook reader reading one instead
// of holding the file's chunks (read-xlsx.ts with `file`, as the dry run reads a stored upload).

async function bytesOf(file: RandomAccessFile, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of file.read(start, end)) parts.push(part);
  return Buffer.concat(parts);
}

async function rowsOf(rows: AsyncIterable<SheetRow[]>): Promise<SheetRow[]> {
  const all: SheetRow[] = [];
  for await (const slice of rows) all.push(...slice);
  return all;
}

describe('RandomAccessFile', () => {
  it('finds the piece that holds a byte', () => {
    const starts = [0, 10, 25, 26];
    expect([0, 9, 10, 24, 25, 26, 1000].map((at) => pieceAt(starts, at))).toEqual([
      0, 0, 1, 1, 2, 3, 3,
    ]);
  });

  it('hands out any byte range of pieces of uneven sizes, whole and in order', async () => {
    const whole = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) % 256));
    const sizes = [1, 300, 17, 0, 500, 182];
    const pieces: Buffer[] = [];
    for (let at = 0, i = 0; i < sizes.length; at += sizes[i]!, i++)
      pieces.push(whole.subarray(at, at + sizes[i]!));
    const file = piecesFile(pieces);
    expect(file.size).toBe(1000);
    for (const [start, end] of [
      [0, 1000],
      [0, 1],
      [1, 301],
      [300, 320],
      [317, 818],
      [999, 1000],
      [500, 500],
    ] as const)
      expect(await bytesOf(file, start, end)).toEqual(whole.subarray(start, end));
  });
});

describe('the workbook read by byte range (CSV-01)', () => {
  // Random names, so that the zip (~1.6 MB) is several times what the streams between the file
  // and the rows read ahead and the end yauzl reads to find the directory (64 KB). The read-ahead
  // follows Node.js's default stream buffer: ~100 KB on Node.js 20 (16 KiB a stream), ~400 KB
  // on Node.js 22 and later (64 KiB).
  const ROWS = 40_000;
  const workbook = () =>
    workbookFromParts({
      sheet:
        HEADER_ROW +
        Array.from({ length: ROWS }, (_, i) => {
          const name = `u${randomBytes(12).toString('hex')}`;
          return inlineRow(i + 2, [name, '', `${name}@example.com`, '', 'user', 'no']);
        }).join(''),
    });

  it('reads the same rows as from the chunks, asking only for ranges, while the chunks pass through', async () => {
    const bytes = workbook();
    const held = await rowsOf(readXlsxRows(chunksOf(bytes, 4096)));
    expect(bytes.length).toBeGreaterThan(1_500_000);
    expect(held).toHaveLength(ROWS + 1);

    // The stored file as the database hands it out: in slices, each counted when produced.
    const inMemory = piecesFile([Buffer.from(bytes)]);
    let produced = 0;
    let ranges = 0;
    const stored: RandomAccessFile = {
      size: inMemory.size,
      async *read(start, end) {
        ranges += 1;
        for (let at = start; at < end; at += 4096) {
          produced += Math.min(4096, end - at);
          yield* inMemory.read(at, Math.min(end, at + 4096));
        }
      },
    };
    let passed = 0;
    async function* counted() {
      for await (const chunk of chunksOf(bytes, 4096)) {
        passed += chunk.byteLength;
        yield chunk;
      }
    }
    const byRange: SheetRow[] = [];
    let producedAtFirstRow = -1;
    for await (const slice of readXlsxRows(counted(), { file: stored })) {
      if (producedAtFirstRow < 0) producedAtFirstRow = produced;
      byRange.push(...slice);
    }
    expect(byRange).toEqual(held);
    expect(passed).toBe(bytes.length); // all of it passed through (the caller hashes it)
    expect(ranges).toBeGreaterThan(3); // the directory, then each part it read
    // Rows came out while most of the sheet was still unread: the file is streamed, not held.
    expect(producedAtFirstRow).toBeGreaterThan(0);
    expect(producedAtFirstRow).toBeLessThan(bytes.length / 2);
  });

  it('refuses when the file it reads is not the file whose chunks passed through', async () => {
    const bytes = workbook();
    const grown = piecesFile([Buffer.from(bytes), Buffer.from('PK')]);
    const refused = await rowsOf(readXlsxRows(chunksOf(bytes, 4096), { file: grown })).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(UploadRefused);
    expect(refused).toMatchObject({ code: 'checksum', message: FILE_CHANGED });
  });

  it('reports a failure to read the stored file as itself, not as a file that is not a workbook', async () => {
    const bytes = workbook();
    const down = new Error('connection to the database lost');
    const failing = (failAt: number): RandomAccessFile => {
      const file = piecesFile([Buffer.from(bytes)]);
      let reads = 0;
      return {
        size: file.size,
        async *read(start, end) {
          if (++reads >= failAt) throw down;
          yield* file.read(start, end);
        },
      };
    };
    // At the directory, and later at a part.
    for (const failAt of [1, 4])
      await expect(
        rowsOf(readXlsxRows(chunksOf(bytes, 4096), { file: failing(failAt) })),
      ).rejects.toBe(down);
  });
});
