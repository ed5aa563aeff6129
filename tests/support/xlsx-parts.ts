import { strToU8, unzipSync, Zip, ZipDeflate, zipSync, type Zippable } from 'fflate';

// Builds an .xlsx from the XML of its parts, as a test needs it: inline strings, rich text,
// namespace prefixes, sheets stored in any order, formulas without a result — what exceljs's
// writer does not make. fflate's zipSync writes the zip (DEFLATE, as Excel does).

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export type Parts = {
  /** The first sheet's <sheetData> content. */
  sheet: string;
  /** <si> elements of the shared strings table, if any. */
  sharedStrings?: string;
  /** <numFmts> and <cellXfs> content of styles.xml, if any. */
  numFmts?: string;
  cellXfs?: string;
  date1904?: boolean;
  /** Store the first sheet as xl/worksheets/sheet2.xml and a decoy second sheet as sheet1.xml. */
  decoyFirstFile?: boolean;
  /** The element prefix to write (e.g. "x:"), as some generators do. */
  prefix?: string;
};

export function workbookFromParts(parts: Parts): Uint8Array {
  const p = parts.prefix ?? '';
  const xmlns = p ? `xmlns:${p.slice(0, -1)}="${NS}"` : `xmlns="${NS}"`;
  const [first, second] = parts.decoyFirstFile ? ['sheet2', 'sheet1'] : ['sheet1', 'sheet2'];
  const files: Zippable = {
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
    '_rels/.rels': strToU8(
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    'xl/workbook.xml': strToU8(
      `<?xml version="1.0"?><${p}workbook ${xmlns} xmlns:r="${REL}">${parts.date1904 ? `<${p}workbookPr date1904="1"/>` : ''}<${p}sheets><${p}sheet name="Users" sheetId="1" r:id="rId7"/><${p}sheet name="Other" sheetId="2" r:id="rId8"/></${p}sheets></${p}workbook>`,
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId8" Type="${REL}/worksheet" Target="worksheets/${second}.xml"/><Relationship Id="rId7" Type="${REL}/worksheet" Target="/xl/worksheets/${first}.xml"/><Relationship Id="rId9" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId10" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ),
    [`xl/worksheets/${second}.xml`]: strToU8(
      `<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>decoy</t></is></c></row></sheetData></worksheet>`,
    ),
    [`xl/worksheets/${first}.xml`]: strToU8(
      `<?xml version="1.0"?><${p}worksheet ${xmlns}><${p}sheetData>${parts.sheet}</${p}sheetData></${p}worksheet>`,
    ),
  };
  // Excel stores the shared strings and styles after the sheets.
  files['xl/sharedStrings.xml'] = strToU8(
    `<?xml version="1.0"?><sst xmlns="${NS}">${parts.sharedStrings ?? ''}</sst>`,
  );
  files['xl/styles.xml'] = strToU8(
    `<?xml version="1.0"?><styleSheet xmlns="${NS}"><numFmts>${parts.numFmts ?? ''}</numFmts><cellStyleXfs><xf numFmtId="49"/></cellStyleXfs><cellXfs>${parts.cellXfs ?? '<xf numFmtId="0"/>'}</cellXfs></styleSheet>`,
  );
  return zipSync(files);
}

/** A row of inline-string cells, A1-style. */
export function inlineRow(row: number, cells: string[]): string {
  const cols = cells
    .map(
      (text, i) =>
        `<c r="${String.fromCharCode(65 + i)}${row}" t="inlineStr"><is><t>${text}</t></is></c>`,
    )
    .join('');
  return `<row r="${row}">${cols}</row>`;
}

export const HEADER_ROW = inlineRow(1, [
  'username',
  'name',
  'email',
  'phone',
  'role',
  'two_factor',
]);

/**
 * A zip bomb in workbook form: the parts of workbookFromParts, but the first sheet's XML is
 * `inflatedBytes` of empty rows (`<row/>`, skipped by the reader, so no row cap stops it),
 * deflated as it is made (never held whole). `declare`: the uncompressed size written in the
 * central directory (the true one unless a smaller lie is wanted).
 */
export function sheetBomb(inflatedBytes: number, declare?: number): Uint8Array {
  const name = 'xl/worksheets/sheet1.xml';
  const base = unzipSync(workbookFromParts({ sheet: HEADER_ROW }));
  delete base[name];
  const out: Uint8Array[] = [];
  const zip = new Zip((error, data) => {
    if (error) throw error;
    out.push(data);
  });
  for (const [file, data] of Object.entries(base)) {
    const entry = new ZipDeflate(file, { level: 6 });
    zip.add(entry);
    entry.push(data, true);
  }
  const sheet = new ZipDeflate(name, { level: 9 });
  zip.add(sheet);
  const head = strToU8(`<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData>${HEADER_ROW}`);
  sheet.push(head);
  const block = strToU8('<row/>'.repeat((1024 * 1024) / 6));
  let written = head.length;
  while (written + block.length <= inflatedBytes) {
    sheet.push(block);
    written += block.length;
  }
  sheet.push(strToU8('</sheetData></worksheet>'), true);
  zip.end();
  const bytes = new Uint8Array(out.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of out) {
    bytes.set(part, at);
    at += part.length;
  }
  if (declare !== undefined)
    patchCentral(bytes, name, (view, entry) => view.setUint32(entry + 24, declare, true));
  return bytes;
}

/** Rewrites the central directory entry of `name` (its offset in `bytes` given to `patch`). */
export function patchCentral(
  bytes: Uint8Array,
  name: string,
  patch: (view: DataView, entry: number) => void,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wanted = strToU8(name);
  for (let at = 0; at + 46 <= bytes.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const length = view.getUint16(at + 28, true);
    const found = bytes.subarray(at + 46, at + 46 + length);
    if (found.length === wanted.length && found.every((b, i) => b === wanted[i])) {
      patch(view, at);
      return;
    }
  }
  throw new Error(`no central directory entry for ${name}`);
}
