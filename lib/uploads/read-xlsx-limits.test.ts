import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunksOf, readRecords as read } from '../../tests/support/read-records';
import { HEADER_ROW, inlineRow, workbookFromParts } from '../../tests/support/xlsx-parts';
import { readXlsxRows } from './read-xlsx';
import { UploadRefused } from './upload-refused';
import { StringTable } from './xlsx/string-table';

// The .xlsx reader's limits on what one small file can make it hold or do (docs/decisions/0023):
// a row's characters counted as they come, a shared string's length, nesting depth, the count
// of shared strings, blank cells not kept, rows counted blank ones included.

async function refusal(file: Uint8Array, maxRows = 100): Promise<UploadRefused> {
  try {
    await read(file, 64 * 1024, maxRows);
  } catch (error) {
    if (error instanceof UploadRefused) return error;
    throw error;
  }
  throw new Error('read, not refused');
}

const DATA = ['ann', 'Ann', 'ann@example.com', '', 'user', 'no'];

afterEach(() => vi.restoreAllMocks());

describe('.xlsx limits (CSV-01)', () => {
  it('CSV-01 refuses a row at the cell that takes it past 64 K characters: cells of one long shared string are not all decoded first', async () => {
    const file = workbookFromParts({
      sharedStrings: `<si><t>${'x'.repeat(40_000)}</t></si>`,
      sheet:
        HEADER_ROW +
        `<row r="2">${Array.from({ length: 300 }, () => '<c t="s"><v>0</v></c>').join('')}</row>`,
    });
    const get = vi.spyOn(StringTable.prototype, 'get');
    expect((await refusal(file)).message).toMatch(/^Row 2 holds more than 65,536 characters/);
    expect(get.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('CSV-01 counts an inline string of many runs as its runs come: refused before the row ends', async () => {
    // The sheet is cut off inside the row: a reader that waits for </row> calls the file
    // unreadable instead.
    const cutOff = (row: string) => {
      const parts = unzipSync(workbookFromParts({ sheet: HEADER_ROW + '<row r="2"/>' }));
      const sheet = new TextDecoder().decode(parts['xl/worksheets/sheet1.xml']);
      parts['xl/worksheets/sheet1.xml'] = strToU8(
        sheet.slice(0, sheet.indexOf('<row r="2"/>')) + row,
      );
      return zipSync(parts);
    };
    const runs = Array.from({ length: 100 }, () => `<r><t>${'y'.repeat(1000)}</t></r>`).join('');
    const inline = cutOff(`<row r="2"><c r="A2" t="inlineStr"><is>${runs}</is></c>`);
    expect((await refusal(inline)).message).toMatch(/^Row 2 holds more than 65,536 characters/);
    const longValue = cutOff(`<row r="2"><c r="A2"><v>${'9'.repeat(70_000)}</v></c>`);
    expect((await refusal(longValue)).message).toMatch(/^Row 2 holds more than 65,536/);
    // Cut off where a row is short, it is no workbook.
    expect((await refusal(cutOff('<row r="2"><c r="A2"><v>1</v></c>'))).message).toMatch(
      /could not be read as an Excel workbook/,
    );
  });

  it('CSV-01 refuses a shared string longer than a row may be, even in runs of less than a million characters', async () => {
    const file = workbookFromParts({
      sharedStrings: `<si><r><t>${'x'.repeat(40_000)}</t></r><r><t>${'x'.repeat(40_000)}</t></r></si>`,
      sheet: HEADER_ROW,
    });
    expect((await refusal(file)).message).toMatch(/a text of more than 65,536 characters/);
  });

  it('CSV-01 refuses elements nested more than 64 deep in the sheet, the styles and the shared strings', async () => {
    const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    const sheet = workbookFromParts({ sheet: HEADER_ROW + deep(100) });
    expect((await refusal(sheet)).message).toMatch(/nested more than 64 deep/);
    const styles = workbookFromParts({ sheet: HEADER_ROW, cellXfs: `<xf>${deep(100)}</xf>` });
    expect((await refusal(styles)).message).toMatch(/nested more than 64 deep/);
    const strings = workbookFromParts({
      sheet: HEADER_ROW,
      sharedStrings: `<si>${deep(100)}</si>`,
    });
    expect((await refusal(strings)).message).toMatch(/nested more than 64 deep/);
    // Nesting as deep as a workbook's is read.
    const fine = workbookFromParts({ sheet: HEADER_ROW + deep(40) + inlineRow(2, DATA) });
    expect((await read(fine)).records).toHaveLength(1);
  });

  it('CSV-01 keeps no blank cell: a row with a blank cell at XFD is no wider than its values, and a value beyond the header is reported by its column', async () => {
    const file = workbookFromParts({
      sheet:
        HEADER_ROW +
        inlineRow(2, DATA).replace('</row>', '<c r="XFD2"/></row>') +
        '<row r="3"><c r="XFD3"/></row>' +
        inlineRow(4, DATA).replace('</row>', '<c r="XFD4"><v>1</v></c></row>'),
    });
    const widths: number[] = [];
    for await (const slice of readXlsxRows(chunksOf(file, 4096)))
      for (const row of slice) widths.push(row.fields.length);
    expect(widths).toEqual([6, 6, 6]);
    const { records } = await read(file);
    expect(records).toEqual([
      { row: 2, fields: DATA },
      {
        row: 4,
        fields: DATA,
        problem: 'Column XFD has a value but no header: name the column or clear it.',
      },
    ]);
  });

  it("CSV-01 counts blank rows against Excel's last row (1,048,576), and refuses a row numbered beyond it", async () => {
    const many = workbookFromParts({ sheet: HEADER_ROW + '<row/>'.repeat(1_048_576) });
    expect((await refusal(many)).message).toMatch(/more than 1,048,576 rows/);
    const far = workbookFromParts({ sheet: HEADER_ROW + inlineRow(1_048_577, DATA) });
    expect((await refusal(far)).message).toMatch(/more than 1,048,576 rows/);
  });

  it('CSV-01 caps the count of shared strings at 64 per row the upload may have, by the count the table declares before reading it', async () => {
    const declared = workbookFromParts({ sheet: HEADER_ROW, sharedStrings: '<si/>' });
    const parts = unzipSync(declared);
    parts['xl/sharedStrings.xml'] = strToU8(
      new TextDecoder()
        .decode(parts['xl/sharedStrings.xml'])
        .replace('<sst ', '<sst uniqueCount="10000000" '),
    );
    const refused = await refusal(zipSync(parts));
    expect(refused.code).toBe('too-large');
    expect(refused.message).toMatch(/more than 65,536 different texts/);

    const counted = workbookFromParts({ sheet: HEADER_ROW, sharedStrings: '<si/>'.repeat(70_000) });
    expect((await refusal(counted)).message).toMatch(/more than 65,536 different texts/);
    // With room for 2,000 rows (128,000 strings) it is read.
    await expect(read(counted, 64 * 1024, 2000)).resolves.toMatchObject({ records: [] });
  });
});
