import path from 'node:path';
import { UploadRefused } from '../upload-refused';
import { MAX_ROW_CHARS } from './limits';
import { StringTable } from './string-table';
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

/**
 * A relationship's target as a name in the zip, relative to the part that names it: a URI, so
 * its percent-escapes are decoded ("Sheet%201.xml"). The name is only looked up among the zip's
 * entries (ZipEntries compares it without case); a name outside them is no part.
 */
function resolve(from: string, target: string): string {
  let decoded = target;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    // A stray "%" is kept as it is: the name is then looked up as written.
  }
  const joined = decoded.startsWith('/')
    ? decoded
    : path.posix.join(path.posix.dirname(from), decoded);
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
 * The shared strings table: each <si>'s text, its rich-text runs joined, phonetic runs (<rPh>)
 * left out. Held in memory while the sheet is read, so its inflated size has a cap of its own,
 * and so has its count (`maxStrings`, checked against <sst uniqueCount> before any is read); a
 * string longer than a row may be is refused as it grows.
 */
export async function sharedStrings(
  zip: ZipEntries,
  sharedStringsPath: string | null,
  cap: number,
  maxStrings: number,
): Promise<StringTable> {
  let strings = new StringTable(16);
  if (!sharedStringsPath) return strings;
  let parts: string[] = [];
  let chars = 0;
  let inText = false;
  let inPhonetic = false;
  await readXml(zip.read(sharedStringsPath, cap, 'shared strings'), {
    open(name, a) {
      if (name === 'si') {
        if (strings.length >= maxStrings) throw tooManyStrings(maxStrings);
        parts = [];
        chars = 0;
      } else if (name === 'rPh') inPhonetic = true;
      else if (name === 't' && !inPhonetic) inText = true;
      else if (name === 'sst' && a.uniqueCount !== undefined) {
        const declared = Number(a.uniqueCount);
        if (declared > maxStrings) throw tooManyStrings(maxStrings);
        if (Number.isSafeInteger(declared) && declared > 0)
          strings = new StringTable(Math.min(declared, 1 << 20));
      }
    },
    close(name) {
      if (name === 'si') strings.push(unescapeXstring(parts.join('')));
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 't') inText = false;
    },
    text(text) {
      if (!inText) return;
      chars += text.length;
      if (chars > MAX_ROW_CHARS)
        throw new UploadRefused(
          'malformed',
          `This workbook has a text of more than ${MAX_ROW_CHARS.toLocaleString('en')} characters, more than a row of users may hold. Save the sheet as "CSV UTF-8" and upload that.`,
        );
      parts.push(text);
    },
  });
  return strings;
}

const tooManyStrings = (maxStrings: number) =>
  new UploadRefused(
    'too-large',
    `This workbook holds more than ${maxStrings.toLocaleString('en')} different texts, more than a list of users of this size can need (a file built to exhaust the server looks like this). Save the sheet as "CSV UTF-8" and upload that, or split it.`,
  );
