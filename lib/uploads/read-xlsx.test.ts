import { readdirSync } from 'node:fs';
import os from 'node:os';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { chunksOf, readRecords as read } from '../../tests/support/read-records';
import { readUploadRecords } from './read-upload';
import { UploadRefused } from './upload-refused';

/** A workbook as Excel saves one: a first sheet of users, a second sheet that must be ignored. */
async function workbook(): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Users');
  sheet.addRow(['User Name', 'Full Name', 'E-mail', 'Phone Number', 'Role', '2FA', 'Notes']);
  sheet.addRow(['zoe', 'Zoë Müller', 'zoe@example.com', 14155550132, 'user', true, 'x']);
  sheet.addRow([]); // a blank row: skipped but counted, as the admin sees it
  const jose = sheet.addRow(['jose', null, 'jose@example.com', '+34 612 345 678', 'admin', 'yes']);
  jose.getCell(2).value = { richText: [{ text: 'José ' }, { font: { bold: true }, text: 'Peña' }] };
  const third = sheet.addRow(['', 'Joined', 'joined@example.com', null, null, false]);
  third.getCell(1).value = { formula: 'LOWER("ANN")', result: 'ann' };
  third.getCell(7).value = new Date(Date.UTC(2026, 11, 2));
  book.addWorksheet('Other').addRow(['not', 'read']);
  return new Uint8Array(await book.xlsx.writeBuffer());
}

describe('readUploadRecords for .xlsx (CSV-01)', () => {
  it('CSV-01 reads the first sheet of a workbook by header names, with numbers, booleans, rich text, formulas and empty cells as text, numbered as in Excel', async () => {
    const file = await workbook();
    for (const size of [7, 1000, file.length]) {
      const { records, info } = await read(file, size);
      expect(info).toEqual({ format: 'xlsx', encoding: null, unknownColumns: ['Notes (G)'] });
      expect(records, `chunks of ${size}`).toEqual([
        { row: 2, fields: ['zoe', 'Zoë Müller', 'zoe@example.com', '14155550132', 'user', 'true'] },
        {
          row: 4,
          fields: ['jose', 'José Peña', 'jose@example.com', '+34 612 345 678', 'admin', 'yes'],
        },
        { row: 5, fields: ['ann', 'Joined', 'joined@example.com', '', '', 'false'] },
      ]);
    }
  });

  it('CSV-01 leaves no temporary file behind, whether the workbook is read to its end or refused on the way (the row cap)', async () => {
    // exceljs, the reader before this one, set the sheet aside in a temporary file named
    // tmp-<pid>-… until it had the shared strings, which Excel stores after the sheet.
    const ours = () => readdirSync(os.tmpdir()).filter((f) => f.startsWith(`tmp-${process.pid}-`));
    const file = await workbook();
    await read(file);
    await expect.poll(ours).toEqual([]);
    const capped = readUploadRecords(chunksOf(file, 1000), { maxRows: 1 });
    await expect(
      (async () => {
        for await (const record of capped) void record;
      })(),
    ).rejects.toMatchObject({ code: 'too-many-rows' });
    await expect.poll(ours).toEqual([]);
  });

  it('CSV-01 refuses a damaged workbook as a whole, and a workbook whose header lacks a required column', async () => {
    const file = await workbook();
    const damaged = new Uint8Array(file);
    damaged.fill(0x41, 200, 2000);
    await expect(read(damaged)).rejects.toBeInstanceOf(UploadRefused);
    const book = new ExcelJS.Workbook();
    book.addWorksheet('S').addRow(['Name', 'Phone']);
    book.getWorksheet('S')!.addRow(['Ann', '+14155550132']);
    const noUsername = new Uint8Array(await book.xlsx.writeBuffer());
    await expect(read(noUsername)).rejects.toMatchObject({ code: 'header' });
  });
});
