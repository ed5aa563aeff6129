import path from 'node:path';
import { UploadRefused } from '../upload-refused';
import { readXml, unescapeXstring } from './xml-feed';
import { NOT_A_WORKBOOK, type ZipEntries } from './zip-entries';

// The parts of a workbook read before its first sheet (docs/decisions/0023): where the workbook
// is (the package's relationships), which sheet is first (the workbook's order of <sheet>, not a
// file name), the number format of each cell style, and the shared strings table.

/** Inflated bytes of a part other than the sheet and the shared strings. */
const SMALL_PART_CAP = 8 * 1024 * 1024;

export type WorkbookLayout = {
  sheetPath: string;
  sharedStringsPath: string | null;
  stylesPath: string | null;
  date1904: boolean;
};

type Relationship = { id: string; type: string; target: string };

async function relationships(zip: ZipEntries, file: string): Promise<Relationship[]> {
  const found: Relationship[] = [];
  if (!zip.has(file)) return found;
  await readXml(zip.read(file, SMALL_PART_CAP, 'relationships'), {
    open(name, a) {
      if (name === 'Relationship' && a.Target && a.TargetMode !== 'External')
        found.push({ id: a.Id ?? '', type: a.Type ?? '', target: a.Target });
    },
  });
  return found;
}

/** A relationship's target as a name in the zip, relative to the part that names it. */
function resolve(from: string, target: string): string {
  const joined = target.startsWith('/')
    ? target
    : path.posix.join(path.posix.dirname(from), target);
  return path.posix.normalize(joined).replace(/^\/+/, '');
}

const relsOf = (part: string) =>
  path.posix.join(path.posix.dirname(part), '_rels', `${path.posix.basename(part)}.rels`);

const byType = (rels: Relationship[], type: string) =>
  rels.find((rel) => rel.type.endsWith(`/${type}`));

export async function workbookLayout(zip: ZipEntries): Promise<WorkbookLayout> {
  const rootRel = byType(await relationships(zip, '_rels/.rels'), 'officeDocument');
  const workbook = rootRel ? resolve('', rootRel.target) : 'xl/workbook.xml';
  if (!zip.has(workbook)) throw new UploadRefused('malformed', NOT_A_WORKBOOK);
  let firstSheetRel: string | null = null;
  let date1904 = false;
  await readXml(zip.read(workbook, SMALL_PART_CAP, 'workbook part'), {
    open(name, a) {
      if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      if (name === 'sheet' && firstSheetRel === null) {
        const id = Object.keys(a).find((key) => key === 'id' || key.endsWith(':id'));
        firstSheetRel = id ? a[id]! : '';
      }
    },
  });
  const rels = await relationships(zip, relsOf(workbook));
  const sheet = rels.find((rel) => rel.id === firstSheetRel);
  if (!sheet || !zip.has(resolve(workbook, sheet.target)))
    throw new UploadRefused(
      'malformed',
      'This workbook has no sheet to read. Save it again from Excel with the users on the first sheet.',
    );
  const part = (type: string) => {
    const rel = byType(rels, type);
    const name = rel ? resolve(workbook, rel.target) : null;
    return name && zip.has(name) ? name : null;
  };
  return {
    sheetPath: resolve(workbook, sheet.target),
    sharedStringsPath: part('sharedStrings'),
    stylesPath: part('styles'),
    date1904,
  };
}

/**
 * The number format code of each cell style (a cell's `s` attribute indexes cellXfs); built-in
 * formats by their id (ECMA-376 Part 1, 18.8.30), custom ones from <numFmts>.
 */
export async function styleFormats(zip: ZipEntries, stylesPath: string | null): Promise<string[]> {
  if (!stylesPath) return [];
  const custom = new Map<number, string>();
  const styleIds: number[] = [];
  let inCellXfs = false;
  await readXml(zip.read(stylesPath, SMALL_PART_CAP, 'styles part'), {
    open(name, a) {
      if (name === 'numFmt') custom.set(Number(a.numFmtId), a.formatCode ?? 'General');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) styleIds.push(Number(a.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return styleIds.map((id) => custom.get(id) ?? BUILT_IN_FORMATS[id] ?? 'General');
}

const BUILT_IN_FORMATS: Record<number, string> = {
  0: 'General',
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  9: '0%',
  10: '0.00%',
  11: '0.00E+00',
  12: '# ?/?',
  13: '# ??/??',
  14: 'yyyy-mm-dd',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'yyyy-mm-dd h:mm',
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00;(#,##0.00)',
  40: '#,##0.00;[Red](#,##0.00)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mmss.0',
  48: '##0.0E+0',
  49: '@',
  // East Asian built-in date formats: read as dates.
  ...Object.fromEntries(
    [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58].map((id) => [
      id,
      'yyyy-mm-dd',
    ]),
  ),
};

/**
 * The shared strings table as UTF-8 in blocks of 1 MiB, with each string's block and place:
 * 300,000 names and addresses are ~7 MB here, against ~20 MB as JavaScript strings in an array
 * (which V8 also has to promote and trace), and the blocks are never copied as the table grows.
 * A cell's string is decoded when the sheet asks for it, and dies young.
 */
export class StringTable {
  private static readonly BLOCK = 1024 * 1024;
  private readonly blocks: Buffer[] = [];
  private used = StringTable.BLOCK; // no block yet: the first push starts one
  private block = new Uint16Array(1024);
  private start = new Uint32Array(1024);
  private end = new Uint32Array(1024);
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(text: string): void {
    const size = Buffer.byteLength(text);
    if (this.used + size > (this.blocks.at(-1)?.length ?? 0)) {
      // A string longer than a block (a cell holds at most a million characters) gets its own.
      this.blocks.push(Buffer.allocUnsafe(Math.max(StringTable.BLOCK, size)));
      this.used = 0;
    }
    if (this.count === this.start.length) {
      this.block = grow(this.block);
      this.start = grow(this.start);
      this.end = grow(this.end);
    }
    this.block[this.count] = this.blocks.length - 1;
    this.start[this.count] = this.used;
    this.used += this.blocks.at(-1)!.write(text, this.used);
    this.end[this.count++] = this.used;
  }

  /** String `index`, or undefined when the table has none. */
  get(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    return this.blocks[this.block[index]!]!.toString('utf8', this.start[index], this.end[index]);
  }
}

function grow<T extends Uint16Array | Uint32Array>(array: T): T {
  const grown = new (array.constructor as new (length: number) => T)(array.length * 2);
  grown.set(array);
  return grown;
}

/**
 * The shared strings table: each <si>'s text, its rich-text runs joined, phonetic runs (<rPh>)
 * left out. Held in memory while the sheet is read, so its inflated size has a cap of its own.
 */
export async function sharedStrings(
  zip: ZipEntries,
  sharedStringsPath: string | null,
  cap: number,
): Promise<StringTable> {
  const strings = new StringTable();
  if (!sharedStringsPath) return strings;
  let parts: string[] = [];
  let inText = false;
  let inPhonetic = false;
  await readXml(zip.read(sharedStringsPath, cap, 'shared strings'), {
    open(name) {
      if (name === 'si') parts = [];
      else if (name === 'rPh') inPhonetic = true;
      else if (name === 't' && !inPhonetic) inText = true;
    },
    close(name) {
      if (name === 'si') strings.push(unescapeXstring(parts.join('')));
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 't') inText = false;
    },
    text(text) {
      if (inText) parts.push(text);
    },
  });
  return strings;
}

/**
 * The string as a copy of its own. saxes hands text on as slices of the chunk it parsed, and V8
 * keeps a slice's whole parent alive while the slice lives. Slicing a concatenation copies the
 * characters into a new string first.
 */
export const ownCopy = (text: string) => (text.length < 13 ? text : `${text} `.slice(0, -1));
