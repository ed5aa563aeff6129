import { appendFileSync, closeSync, openSync, readSync, writeFileSync } from 'node:fs';

// The bench's files (bench/user-upload.ts): the CSV as the browser sends it, a file from disk,
// and the same rows as \copy input.

/** A file on disk in 1 MiB chunks, read as it is sent. */
export function* diskChunks(file: string): Generator<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      const chunk = Buffer.alloc(1024 * 1024);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return;
      yield chunk.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}

/** The CSV in chunks of at most 1 MiB, ending at line ends, built as it is sent. */
export function* fileChunks(rows: number): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  let text = 'username,name,email,phone,role,two_factor\r\n';
  for (let i = 1; i <= rows; i++) {
    const n = String(i).padStart(6, '0');
    const last = String(i % 10_000).padStart(4, '0');
    // Mixed formats, as real files have them: international, national, and no phone. Every 51st
    // row is an admin, on a row with a phone (an admin cannot have two-step sign-in off).
    const phone = i % 3 === 0 ? `+1 415 555 ${last}` : i % 3 === 1 ? `(415) 555-${last}` : '';
    const line = `bench-${n},Bench Person ${n},bench-${n}@example.com,${phone},${i % 51 === 0 ? 'admin' : 'user'},${phone ? 'yes' : 'no'}\r\n`;
    if (text.length + line.length > 1024 * 1024) {
      yield encoder.encode(text);
      text = '';
    }
    text += line;
  }
  if (text) yield encoder.encode(text);
}

/** The same rows as \copy input, written 10,000 lines at a time so no huge string is built. */
export function writeCopyFile(file: string, ids: readonly string[], passwordHash: string): void {
  const now = new Date().toISOString();
  writeFileSync(file, '');
  let out: string[] = [];
  const rows = ids.length;
  for (let i = 1; i <= rows; i++) {
    const n = String(i).padStart(6, '0');
    const phone = i % 3 === 2 ? '' : `+1415555${String(i % 10_000).padStart(4, '0')}`;
    out.push(
      `${ids[i - 1]},bench-${n},bench-${n},Bench Person ${n},bench-${n}@example.com,${phone},"${passwordHash}",${i % 51 === 0 ? 'admin' : 'user'},${phone ? 't' : 'f'},${now}\n`,
    );
    if (out.length === 10_000 || i === rows) {
      appendFileSync(file, out.join(''));
      out = [];
    }
  }
}
