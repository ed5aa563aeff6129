import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import type { RandomAccessFile } from '@/lib/uploads/random-access-file';
import { FILE_CHANGED } from '@/lib/uploads/upload-refused';
import { appendChunk, createUploadRecord, uploadFile } from '@/lib/uploads/upload-store';
import { createAdmin } from '../support/upload-fixtures';

// A stored upload read by byte range (uploadFile in lib/uploads/upload-store.ts), as the workbook
// reader reads it: against the database, across its chunks and the 32 KB slices each is read in.

async function stored(sizes: number[]): Promise<{ uploadId: string; bytes: Buffer }> {
  const admin = await createAdmin();
  const uploadId = await createUploadRecord({ fileName: 'book.xlsx', uploadedById: admin.id });
  const bytes = randomBytes(sizes.reduce((sum, size) => sum + size, 0));
  for (let index = 0, at = 0; index < sizes.length; at += sizes[index]!, index++) {
    const outcome = await appendChunk({
      uploadId,
      uploadedById: admin.id,
      index,
      bytes: bytes.subarray(at, at + sizes[index]!),
      maxBytes: bytes.length,
    });
    expect(outcome).toBe('ok');
  }
  return { uploadId, bytes };
}

async function bytesOf(file: RandomAccessFile, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of file.read(start, end)) parts.push(part);
  return Buffer.concat(parts);
}

describe('a stored upload read by byte range (CSV-01)', () => {
  it('CSV-01 hands out any range of chunks of uneven sizes whole and in order', async () => {
    // Chunks of 1 MiB and less; slices of 32 KB within them.
    const sizes = [1024 * 1024, 1, 70_001, 32 * 1024, 5];
    const { uploadId, bytes } = await stored(sizes);
    const file = await uploadFile(uploadId);
    expect(file.size).toBe(bytes.length);
    const chunkEnd = 1024 * 1024;
    for (const [start, end] of [
      [0, bytes.length], // all of it
      [0, 1],
      [32 * 1024 - 1, 32 * 1024 + 1], // across a slice boundary
      [chunkEnd - 10, chunkEnd + 20], // across three chunks (one of them 1 byte)
      [chunkEnd + 1, chunkEnd + 1 + 70_001], // exactly one chunk
      [bytes.length - 3, bytes.length],
      [500, 500], // nothing
    ] as const)
      expect((await bytesOf(file, start, end)).equals(bytes.subarray(start, end))).toBe(true);
  });

  it('CSV-01 refuses to go on when a chunk changes while the file is read', async () => {
    const { uploadId } = await stored([100_000, 100_000]);
    const file = await uploadFile(uploadId);
    const reading = file.read(0, 200_000)[Symbol.asyncIterator]();
    await reading.next();
    await db.userUploadChunk.deleteMany({ where: { uploadId, index: 1 } });
    await expect(
      (async () => {
        for (let next = await reading.next(); !next.done; next = await reading.next());
      })(),
    ).rejects.toMatchObject({ name: 'UploadRefused', code: 'checksum', message: FILE_CHANGED });
  });
});
