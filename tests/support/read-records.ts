import type { TextEncoding } from '@/lib/uploads/encodings';
import { readUploadRecords, type FileInfo } from '@/lib/uploads/read-upload';

// Runs the upload reader over a file handed over in chunks of `size` bytes, as the stored upload
// is read back, and collects what it yields and what it said about the file.

export async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function readRecords(
  bytes: Uint8Array,
  size = 4096,
  maxRows = 100,
  options: { maxFileBytes?: number; encoding?: TextEncoding } = {},
) {
  const records = [];
  let info: FileInfo | null = null;
  for await (const record of readUploadRecords(chunksOf(bytes, size), {
    ...options,
    maxRows,
    onFileInfo: (i) => void (info = i),
  }))
    records.push(record);
  return { records, info: info as FileInfo | null };
}
