import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { chunksOf, readRecords as read } from '../../tests/support/read-records';
import { HEADER_ROW, inlineRow, workbookFromParts } from '../../tests/support/xlsx-parts';
import { validateUpload } from './validate-upload';
import { formattedNumber, numberText, serialDate } from './xlsx/cell-text';

// The .xlsx reader's cells (docs/decisions/0023): numbers as Excel shows them in their number
// format, never in exponent form; booleans, dates, formulas, inline and rich text.

describe('.xlsx cells as the admin sees them (CSV-01)', () => {
  it('CSV-01 shows numbers in their number format: zero-padded usernames and phones keep their zeros, long phones have no exponent', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Users');
    sheet.addRow(['username', 'name', 'email', 'phone', 'role', 'two_factor']);
    const rows = [
      [123, 'Padded', 'a@example.com', 4155550132, 'user', true],
      [42, 'General', 'b@example.com', 4915112345678, 'user', false],
      [7, 'Zero format', 'c@example.com', 4915112345678, 'user', true],
      [8, 'Phone format', 'd@example.com', 4155550132, 'user', true],
    ];
    for (const values of rows) sheet.addRow(values);
    sheet.getCell('A2').numFmt = '00000';
    sheet.getCell('D2').numFmt = '00000000000';
    sheet.getCell('A4').numFmt = '0';
    sheet.getCell('D4').numFmt = '0';
    sheet.getCell('A5').numFmt = '"u"000';
    sheet.getCell('D5').numFmt = '[<=9999999]###-####;(###) ###-####';
    const file = new Uint8Array(await book.xlsx.writeBuffer());
    const { records } = await read(file, 999);
    expect(records.map((r) => [r.fields[0], r.fields[3], r.fields[5]])).toEqual([
      ['00123', '04155550132', 'true'],
      ['42', '4915112345678', 'false'],
      ['7', '4915112345678', 'true'],
      ['u008', '(415) 555-0132', 'true'],
    ]);
  });

  it("CSV-01 gives a formula its cached result, and reports a formula without one as that cell's problem in the row report, not as an empty cell", async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Users');
    sheet.addRow(['username', 'name', 'email', 'phone', 'role', 'two_factor', 'Notes']);
    sheet.addRow(['ann', null, 'ann@example.com', null, 'user', false]);
    sheet.getCell('B2').value = { formula: 'PROPER("ann lee")', result: 'Ann Lee' };
    sheet.addRow(['bob', 'Bob', 'bob@example.com', null, 'user', false]);
    sheet.getCell('A3').value = { formula: 'LOWER("BOB")' } as ExcelJS.CellFormulaValue;
    // Not one of our columns: not read, so not a problem.
    sheet.getCell('G3').value = { formula: 'NOW()' } as ExcelJS.CellFormulaValue;
    const file = new Uint8Array(await book.xlsx.writeBuffer());
    const { records } = await read(file);
    expect(records[0]).toEqual({
      row: 2,
      fields: ['ann', 'Ann Lee', 'ann@example.com', '', 'user', 'false'],
    });
    expect(records[1]!.cellProblems).toEqual([
      {
        column: 'username',
        reason: expect.stringMatching(/formula whose result the file does not hold/),
      },
    ]);
    const checked = await validateUpload({
      chunks: chunksOf(file, 4096),
      defaultRegion: 'US',
      maxRows: 10,
    });
    expect(checked).toMatchObject({ rowsRead: 2, rowsValid: 1, rowsInvalid: 1 });
    // One problem for the cell, not a second one for the empty username it stands for.
    expect(checked.problems).toEqual([
      {
        row: 3,
        column: 'username',
        reason: expect.stringMatching(/^This cell has a formula whose result/),
      },
    ]);
  });

  it("CSV-01 reads inline strings and rich text runs (phonetic runs left out), shared strings with Excel escapes, prefixed element names, and the first sheet in the workbook's order whatever its file name", async () => {
    const file = workbookFromParts({
      prefix: 'x:',
      decoyFirstFile: true,
      sharedStrings:
        '<si><t>zoe</t></si><si><r><t>Zoë </t></r><r><rPr><b/></rPr><t>Müller</t></r><rPh sb="0" eb="1"><t>ゾエ</t></rPh></si><si><t xml:space="preserve">line_x000D_break</t></si>',
      cellXfs: '<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="49"/><xf numFmtId="14"/>',
      numFmts: '<numFmt numFmtId="164" formatCode="00000000000"/>',
      sheet: [
        HEADER_ROW.replace(/<(\/?)(row|c|is|t)\b/g, '<$1x:$2'),
        '<x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="B2" t="s"><x:v>1</x:v></x:c><x:c r="C2" t="inlineStr"><x:is><x:r><x:t>zoe@</x:t></x:r><x:r><x:t>example.com</x:t></x:r><x:rPh><x:t>x</x:t></x:rPh></x:is></x:c><x:c r="D2" s="1"><x:v>4155550132</x:v></x:c><x:c r="E2" t="str"><x:f>LOWER("USER")</x:f><x:v>user</x:v></x:c><x:c r="F2" t="b"><x:v>1</x:v></x:c></x:row>',
        // No r on the row or its cells: counted on from the row and cell before.
        '<x:row><x:c t="s"><x:v>2</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c s="2"><x:v>12</x:v></x:c><x:c s="3"><x:v>46023</x:v></x:c></x:row>',
      ].join(''),
    });
    const { records, info } = await read(file, 5);
    expect(info).toEqual({ format: 'xlsx', encoding: null, unknownColumns: [] });
    expect(records).toEqual([
      {
        row: 2,
        fields: ['zoe', 'Zoë Müller', 'zoe@example.com', '04155550132', 'user', 'true'],
      },
      {
        row: 3,
        fields: ['line\rbreak', '', '12', '2026-01-01', '', ''],
        cellProblems: [
          { column: 'name', reason: expect.stringMatching(/^This cell shows the error #N\/A/) },
        ],
      },
    ]);
  });

  it('CSV-01 reads dates in the 1904 date system, and inline strings written without a prefix', async () => {
    const file = workbookFromParts({
      date1904: true,
      cellXfs: '<xf numFmtId="0"/><xf numFmtId="22"/>',
      sheet:
        HEADER_ROW +
        inlineRow(2, ['ann', 'Ann', 'ann@example.com', '', 'user']).replace(
          '</row>',
          '<c r="F2" s="1"><v>44561.5</v></c></row>',
        ),
    });
    const { records } = await read(file);
    expect(records[0]!.fields).toEqual([
      'ann',
      'Ann',
      'ann@example.com',
      '',
      'user',
      '2026-01-01T12:00:00Z',
    ]);
  });

  it('CSV-01 formats numbers without exponent and dates as ISO 8601', () => {
    expect(numberText(4915112345678)).toBe('4915112345678');
    expect(numberText(1.5)).toBe('1.5');
    expect(formattedNumber(4915112345678, 'General', false)).toBe('4915112345678');
    expect(formattedNumber(4915112345678, '0.00E+00', false)).toBe('4915112345678');
    expect(formattedNumber(123, '00000', false)).toBe('00123');
    expect(formattedNumber(1234.5, '#,##0', false)).toBe('1,235');
    expect(formattedNumber(12, '@', false)).toBe('12');
    expect(formattedNumber(46023, 'dd/mm/yyyy', false)).toBe('2026-01-01');
    expect(serialDate(46023.375, false)).toBe('2026-01-01T09:00:00Z');
    expect(serialDate(0, true)).toBe('1904-01-01');
  });
});
