import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { guessCodePage, ICONV_NAMES, type CodePage } from './code-page';
import type { TextEncoding } from './encodings';
import { UploadRefused } from './upload-refused';

// The text encodings a User Upload may come in (docs/decisions/0023): UTF-8 with or without a
// BOM, UTF-16 LE or BE with or without a BOM (Excel's "Unicode text", some exports), and the
// single-byte code pages Excel's plain "CSV" uses: Windows-1252 (western), Windows-1250
// (central European), Windows-1251 (Cyrillic), and MacRoman (Excel for Mac) when the admin
// chooses it. Whatever comes in leaves as UTF-8 bytes, chunk by chunk, so the CSV parser sees
// one encoding and memory does not grow with the file. Decided on the first bytes (a BOM, or the
// NULs UTF-16 puts beside every ASCII character); otherwise at the first byte beyond ASCII: UTF-8
// if it begins a UTF-8 character, else the code page guessed from the next 64 KiB
// (code-page.ts). The admin may choose the encoding on the upload form instead.

export { CHOOSABLE_ENCODINGS, encodingChoice, type TextEncoding } from './encodings';

/** How the encoding was known: read from the file, guessed (the report says so), or chosen. */
export type EncodingSource = 'detected' | 'guessed' | 'chosen';

/** Bytes beyond the first non-ASCII byte looked at to guess a code page. */
const CODE_PAGE_SAMPLE = 64 * 1024;

export const BINARY_MESSAGE =
  'This is not a text file (it contains NUL bytes). Save the sheet as CSV or as an Excel workbook (.xlsx) and upload that.';
const MIXED_MESSAGE =
  'This file mixes text encodings (UTF-8 characters and bytes that are not). Save the sheet again as "CSV UTF-8" and upload that.';

/** Bytes looked at to tell UTF-16 without a BOM from a binary file. */
const SNIFF_BYTES = 1024;

/** UTF-16 by its BOM, or by the NULs beside ASCII characters; null when it is not UTF-16. */
export function sniffUtf16(head: Uint8Array): 'UTF-16 LE' | 'UTF-16 BE' | null {
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16 LE';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16 BE';
  const pairs = Math.floor(Math.min(head.length, SNIFF_BYTES) / 2);
  if (pairs < 2) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenNul++;
    if (head[2 * i + 1] === 0) oddNul++;
  }
  // A header line is ASCII: in UTF-16 most other bytes are NUL, nearly all on one side (a few
  // characters beyond Latin have a NUL in their other byte, e.g. U+4E00, U+D800–DBFF pairs).
  if (oddNul >= pairs * 0.6 && evenNul <= pairs * 0.05) return 'UTF-16 LE';
  if (evenNul >= pairs * 0.6 && oddNul <= pairs * 0.05) return 'UTF-16 BE';
  return null;
}

/**
 * The file's text as UTF-8 bytes. `onEncoding` hears the encoding once it is known (a file of
 * ASCII only: UTF-8, at the end). Throws UploadRefused for NUL bytes in a file that is not
 * UTF-16, and for a UTF-8 file with bytes that are not UTF-8.
 */
export async function* decodeToUtf8(
  chunks: AsyncIterable<Uint8Array>,
  onEncoding: (encoding: TextEncoding, source: EncodingSource) => void,
  chosen?: TextEncoding,
): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let done = false;
  /** At least `bytes` bytes in `pending`, unless the file ends first. */
  const fill = async (bytes: number) => {
    while (!done && pending.length < bytes) {
      const next = await iterator.next();
      if (next.done) done = true;
      else pending = pending.length ? Buffer.concat([pending, next.value]) : asBuffer(next.value);
    }
  };
  const take = (): Buffer => {
    const taken = pending;
    pending = Buffer.alloc(0);
    return taken;
  };

  await fill(SNIFF_BYTES);
  if (chosen) checkChoice(pending, chosen);
  const utf16 =
    chosen === 'UTF-16 LE' || chosen === 'UTF-16 BE' ? chosen : chosen ? null : sniffUtf16(pending);
  if (utf16) {
    onEncoding(utf16, chosen ? 'chosen' : 'detected');
    const decoder = iconv.getDecoder(utf16 === 'UTF-16 LE' ? 'utf-16le' : 'utf-16be');
    for (let first = true; pending.length; first = false) {
      let text = decoder.write(take());
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.includes('\u0000')) throw new UploadRefused('binary', BINARY_MESSAGE);
      yield Buffer.from(text);
      await fill(1);
    }
    const tail = decoder.end();
    if (tail) yield Buffer.from(tail);
    return;
  }

  let known: TextEncoding | null = chosen ?? null;
  if (chosen) onEncoding(chosen, 'chosen');
  else if (pending[0] === 0xef && pending[1] === 0xbb && pending[2] === 0xbf) {
    known = 'UTF-8 with BOM';
    onEncoding(known, 'detected');
  }
  const utf8 = new Utf8Check();
  /** ASCII already handed on since the last line break, for the code page guess. */
  let lineSoFar: Buffer = Buffer.alloc(0);
  while (pending.length) {
    if (known === null) {
      const first = firstNonAscii(pending);
      if (first >= 0) {
        await fill(first + CODE_PAGE_SAMPLE); // the first character, and a sample for a guess
        if (startsUtf8(pending.subarray(first, first + 4), done)) {
          known = 'UTF-8';
          onEncoding(known, 'detected');
        } else {
          // From the start of the line, so the first word is whole ("Pawe³", not "³").
          const sample = Buffer.concat([lineSoFar, pending.subarray(0, first + CODE_PAGE_SAMPLE)]);
          const guess = guessCodePage(sample);
          if (!guess.codePage) throw new UploadRefused('encoding', UNDEFINED_BYTES);
          known = guess.codePage;
          onEncoding(known, guess.certain ? 'detected' : 'guessed');
        }
      }
    }
    const bytes = take();
    if (known === null) lineSoFar = lastLine(lineSoFar, bytes);
    if (bytes.includes(0)) throw new UploadRefused('binary', BINARY_MESSAGE);
    if (known !== null && known in ICONV_NAMES)
      yield Buffer.from(singleByte(bytes, known as CodePage));
    else {
      if (!utf8.push(bytes)) throw new UploadRefused('encoding', MIXED_MESSAGE);
      yield bytes;
    }
    await fill(1);
  }
  if (!utf8.end()) throw new UploadRefused('encoding', MIXED_MESSAGE);
  if (known === null) onEncoding('UTF-8', 'detected');
}

/** The file's byte-order mark, if it has one. */
function byteOrderMark(head: Uint8Array): 'UTF-8' | 'UTF-16 LE' | 'UTF-16 BE' | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'UTF-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16 LE';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16 BE';
  return null;
}

/**
 * Refuses an encoding chosen on the form that the file's first bytes contradict (a byte-order
 * mark of another encoding, or UTF-16's NULs for a choice without them), naming both: read as
 * chosen it would be "not a text file" or a header of "ï»¿username".
 */
function checkChoice(head: Buffer, chosen: TextEncoding) {
  const mark = byteOrderMark(head);
  const fits =
    mark === 'UTF-8' ? chosen === 'UTF-8' || chosen === 'UTF-8 with BOM' : mark === chosen;
  if (mark && !fits)
    throw new UploadRefused(
      'encoding',
      `This file starts with a ${mark} byte-order mark but you chose ${chosen}: choose ${mark} or Detect automatically on the upload form.`,
    );
  const nuls = mark ? null : sniffUtf16(head);
  if (nuls && nuls !== chosen)
    throw new UploadRefused(
      'encoding',
      `This file looks like ${nuls} text (a NUL byte beside each letter of its header) but you chose ${chosen}: choose ${nuls} or Detect automatically on the upload form.`,
    );
}

const UNDEFINED_BYTES =
  'This file is not UTF-8 and has bytes that are no character in Windows-1252, 1250 or 1251 (Excel\'s "CSV"), so its encoding is unknown. Save the sheet as "CSV UTF-8" and upload that, or choose the encoding on the upload form.';

const undefinedIn = (codePage: CodePage) =>
  `This file has bytes that are no character in ${codePage}, the encoding it is read in. Choose another encoding on the upload form, or save the sheet as "CSV UTF-8" and upload that.`;

/** Code page bytes as text; a byte the code page leaves undefined refuses the file. */
function singleByte(bytes: Buffer, codePage: CodePage): string {
  const text = iconv.decode(bytes, ICONV_NAMES[codePage]);
  if (text.includes('\uFFFD')) throw new UploadRefused('encoding', undefinedIn(codePage));
  return text;
}

/** The bytes after the last line break of `before` + `bytes`, at most 1 KiB of them. */
function lastLine(before: Buffer, bytes: Buffer): Buffer {
  const at = bytes.lastIndexOf(0x0a);
  const line = at >= 0 ? bytes.subarray(at + 1) : Buffer.concat([before, bytes]);
  return Buffer.from(line.subarray(Math.max(0, line.length - 1024)));
}

const asBuffer = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function firstNonAscii(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return i;
  return -1;
}

/** Whether `bytes` (the first non-ASCII byte and up to three after it) begin a UTF-8 character. */
function startsUtf8(bytes: Buffer, atEnd: boolean): boolean {
  const length = sequenceLength(bytes[0]!);
  if (length === 1) return false;
  if (bytes.length < length) return !atEnd && isUtf8Prefix(bytes);
  return isUtf8(bytes.subarray(0, length));
}

const isUtf8Prefix = (bytes: Buffer) => bytes.subarray(1).every((b) => (b & 0xc0) === 0x80);

/** Bytes of the UTF-8 sequence `lead` begins (1 for a byte that cannot begin one). */
const sequenceLength = (lead: number) =>
  lead >= 0xf0 && lead <= 0xf4
    ? 4
    : lead >= 0xe0 && lead <= 0xef
      ? 3
      : lead >= 0xc2 && lead <= 0xdf
        ? 2
        : 1;

/**
 * Strict UTF-8 over a sequence of chunks, checked on the bytes (no decoded copy): a character
 * split between two chunks is joined before it is checked.
 */
export class Utf8Check {
  private carry = Buffer.alloc(0);

  /** False at the first invalid sequence. */
  push(bytes: Buffer): boolean {
    let from = 0;
    if (this.carry.length) {
      const need = lengthOf(this.carry[0]!) - this.carry.length;
      const joined = Buffer.concat([this.carry, bytes.subarray(0, need)]);
      if (joined.length < lengthOf(this.carry[0]!)) {
        this.carry = joined; // a chunk of one or two bytes: keep collecting
        return isUtf8Prefix(joined);
      }
      if (!isUtf8(joined)) return false;
      this.carry = Buffer.alloc(0);
      from = need;
    }
    const end = completeLength(bytes, from);
    if (!isUtf8(bytes.subarray(from, end))) return false;
    this.carry = Buffer.from(bytes.subarray(end));
    return true;
  }

  /** False when the file ended inside a character. */
  end(): boolean {
    return this.carry.length === 0;
  }
}

/** Like sequenceLength, but lets isUtf8 judge the invalid lead bytes (0xc0, 0xc1, 0xf5–0xf7). */
const lengthOf = (lead: number) =>
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
    return lengthOf(byte) > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}
