import { UploadRefused } from '../upload-refused';
import { MAX_ROW_CHARS } from './limits';

// The shared strings table as it is held while the sheet is read (docs/decisions/0023).

/** Bits of a string's end for its place in its block (a block is 2^20 bytes: 21 bits). */
const PLACE_BITS = 21;
const PLACE_MASK = (1 << PLACE_BITS) - 1;

/**
 * The shared strings table as UTF-8 in blocks of 1 MiB, with each string's end (its block and
 * place, in 4 bytes; it starts where the string before it ends, or at its block's start):
 * 300,000 names and addresses are ~7 MB here, against ~20 MB as JavaScript strings in an array
 * (which V8 also has to promote and trace), and the blocks are never copied as the table grows.
 * A cell's string is decoded when the sheet asks for it, and dies young. A string holds at most
 * MAX_ROW_CHARS characters (sharedStrings refuses longer ones), so it fits in a block.
 */
export class StringTable {
  private static readonly BLOCK = 1024 * 1024;
  private readonly blocks: Buffer[] = [];
  private used = 0;
  private ends: Uint32Array;
  private count = 0;

  /** `expected`: strings the table will hold, if known (its room is made at once). */
  constructor(expected = 1024) {
    this.ends = new Uint32Array(Math.max(16, expected));
  }

  get length(): number {
    return this.count;
  }

  push(text: string): void {
    if (text.length > MAX_ROW_CHARS) throw new Error('a shared string longer than a row');
    const size = Buffer.byteLength(text);
    if (this.blocks.length === 0 || this.used + size > StringTable.BLOCK) {
      if (this.blocks.length >= 2 ** (32 - PLACE_BITS))
        throw new UploadRefused(
          'too-large',
          'This workbook holds more than 2 GB of shared text, more than a list of users can need.',
        );
      this.blocks.push(Buffer.allocUnsafe(StringTable.BLOCK));
      this.used = 0;
    }
    if (this.count === this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.used += this.blocks.at(-1)!.write(text, this.used);
    this.ends[this.count++] = (this.blocks.length - 1) * 2 ** PLACE_BITS + this.used;
  }

  /** String `index`, or undefined when the table has none. */
  get(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    const end = this.ends[index]!;
    const block = Math.floor(end / 2 ** PLACE_BITS);
    const before = index > 0 ? this.ends[index - 1]! : 0;
    const start = Math.floor(before / 2 ** PLACE_BITS) === block ? before & PLACE_MASK : 0;
    return this.blocks[block]!.toString('utf8', start, end & PLACE_MASK);
  }
}

/**
 * The string as a copy of its own. saxes hands text on as slices of the chunk it parsed, and V8
 * keeps a slice's whole parent alive while the slice lives. Slicing a concatenation copies the
 * characters into a new string first.
 */
export const ownCopy = (text: string) => (text.length < 13 ? text : `${text} `.slice(0, -1));
