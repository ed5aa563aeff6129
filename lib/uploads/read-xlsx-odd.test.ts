import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readRecords as read } from '../../tests/support/read-records';
import { HEADER_ROW, inlineRow, workbookFromParts } from '../../tests/support/xlsx-parts';
import { UploadRefused } from './upload-refused';
import { formattedNumber } from './xlsx/cell-text';
import { StringTable } from './xlsx/string-table';

// The .xlsx reader on odd but possible files (docs/decisions/0023): empty values, shared string
// indexes that are no index, CDATA, cells or rows twice or out of order, error cells, times of
// day, part names in another case or with percent-escapes, dates in both date systems.

async function refusal(file: Uint8Array): Promise<UploadRefused> {
  try {
    await read(file);
  } catch (error) {
    if (error instanceof UploadRefused) return error;
    throw error;
  }
  throw new Error('read, not refused');
}

const start = (row: number) =>
  inlineRow(row, ['ann', 'Ann', 'ann@example.com']).replace('</row>', '');

describe('.xlsx odd cells and parts (CSV-01)', () => {
  it('CSV-01 reads an empty number as empty, refuses a shared string index that is no index as that cell’s problem, and reads CDATA as text', async () => {
    const file = workbookFromParts({
      sharedStrings: Array.from({ length: 101 }, (_, i) => `<si><t>s${i}</t></si>`).join(''),
      sheet:
        HEADER_ROW +
        start(2) +
        '<c r="D2"><v></v></c><c r="E2" t="inlineStr"><is><t><![CDATA[user]]></t></is></c><c r="F2" t="b"><v/></c></row>' +
        '<row r="3"><c r="A3" t="s"><v></v></c><c r="B3" t="s"><v>1e2</v></c><c r="C3" t="s"><v>101</v></c><c r="D3" t="s"><v> 100 </v></c></row>',
    });
    const { records } = await read(file);
    expect(records[0]).toEqual({
      row: 2,
      fields: ['ann', 'Ann', 'ann@example.com', '', 'user', ''],
    });
    const missing = { reason: 'This cell refers to text the workbook does not hold.' };
    expect(records[1]).toEqual({
      row: 3,
      fields: ['', '', '', 's100', '', ''],
      cellProblems: [
        { column: 'username', ...missing },
        { column: 'name', ...missing },
        { column: 'email', ...missing },
      ],
    });
  });

  it('CSV-01 refuses a cell given twice or out of order, and a row numbered at or below the one before, naming them', async () => {
    const twice = workbookFromParts({
      sheet: HEADER_ROW + start(2) + '<c r="C2"><v>1</v></c></row>',
    });
    expect((await refusal(twice)).message).toMatch(/^Row 2 has cell C2 twice\./);
    const back = workbookFromParts({
      sheet: HEADER_ROW + start(2) + '<c r="B2"><v>1</v></c></row>',
    });
    expect((await refusal(back)).message).toMatch(/^Row 2 has cell B2 after cell C2/);
    const rows = workbookFromParts({
      sheet: HEADER_ROW + inlineRow(5, ['a']) + inlineRow(3, ['b']),
    });
    expect((await refusal(rows)).message).toMatch(/row 3 comes after its row 5/);
    const again = workbookFromParts({ sheet: HEADER_ROW + inlineRow(1, ['a']) });
    expect((await refusal(again)).message).toMatch(/has row 1 twice/);
  });

  it('CSV-01 reads a time of day alone as Excel shows it, and dates in each date system whatever was read before', async () => {
    const file = workbookFromParts({
      cellXfs: '<xf numFmtId="0"/><xf numFmtId="20"/><xf numFmtId="45"/>',
      sheet:
        HEADER_ROW +
        start(2) +
        '<c r="D2" s="1"><v>0.5208333333</v></c><c r="E2" s="2"><v>0.0034722222</v></c></row>',
    });
    const { records } = await read(file);
    expect(records[0]!.fields.slice(3, 5)).toEqual(['12:30', '05:00']);
    expect(formattedNumber(0, 'yyyy/mm/dd', true)).toBe('1904-01-01');
    expect(formattedNumber(0, 'yyyy/mm/dd', false)).toBe('1899-12-30');
  });

  it('CSV-01 finds parts named in another case or with percent-escapes in their relationship', async () => {
    const parts = unzipSync(workbookFromParts({ sheet: HEADER_ROW + inlineRow(2, ['ann']) }));
    const sheet = parts['xl/worksheets/sheet1.xml']!;
    delete parts['xl/worksheets/sheet1.xml'];
    parts['xl/Worksheets/User List.xml'] = sheet;
    const rels = new TextDecoder().decode(parts['xl/_rels/workbook.xml.rels']);
    parts['xl/_rels/workbook.xml.rels'] = strToU8(
      rels.replace('/xl/worksheets/sheet1.xml', '/xl/worksheets/user%20list.xml'),
    );
    const { records } = await read(zipSync(parts));
    expect(records).toEqual([{ row: 2, fields: ['ann', '', '', '', '', ''] }]);
  });

  it('keeps shared strings apart across its blocks', () => {
    const table = new StringTable(4);
    const texts = Array.from({ length: 40 }, (_, i) => (i % 3 ? `é${i}`.repeat(20_000) : ''));
    for (const text of texts) table.push(text);
    expect(texts.every((text, i) => table.get(i) === text)).toBe(true);
    expect(table.get(40)).toBeUndefined();
  });
});
