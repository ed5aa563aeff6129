import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { importUpload } from '@/lib/uploads/import-upload';
import { getUpload } from '@/lib/uploads/upload-views';
import { capturingSender } from '../support/sign-in-fixtures';
import { createAdmin, csvText, upload, uniquePrefix } from '../support/upload-fixtures';
import { sheetBomb } from '../support/xlsx-parts';

// The User Upload's code pages and workbook cells through the whole dry run (CSV-01,
// docs/decisions/0023): what the upload page then says it read, and what the import writes.

describe('User Upload: code pages and workbook cells (CSV-01)', () => {
  it('CSV-01 reads a Windows-1251 file, says when a code page was a guess, and reads the file in the encoding the admin chose', async () => {
    const admin = await createAdmin();
    const p = uniquePrefix();
    const cyrillic = iconv.encode(
      csvText([[`${p}iv`, 'Иван Иванов', `${p}iv@example.com`, '', 'user', 'no']]),
      'windows-1251',
    );
    const read = await upload(admin.id, cyrillic);
    const readId = (read as { uploadId: string }).uploadId;
    expect(await getUpload(readId)).toMatchObject({ readAs: 'CSV, Windows-1251', rowsValid: 1 });
    await importUpload({
      uploadId: readId,
      adminId: admin.id,
      allOrNothing: true,
      existingMode: 'skip',
      sender: capturingSender(),
    });
    expect(await db.user.findFirst({ where: { usernameKey: `${p}iv` } })).toMatchObject({
      name: 'Иван Иванов',
    });

    const czech = iconv.encode(
      csvText([[`${p}cz`, 'Jiří Škoda', `${p}cz@example.com`, '', 'user', 'no']]),
      'windows-1250',
    );
    const guessed = (await upload(admin.id, czech)) as { uploadId: string };
    expect(await getUpload(guessed.uploadId)).toMatchObject({
      readAs: expect.stringMatching(/^CSV, Windows-1252 \(a guess: .*choose its encoding\)$/),
    });
    const chosen = (await upload(admin.id, czech, 'cz.csv', 'Windows-1250')) as {
      uploadId: string;
    };
    expect(await getUpload(chosen.uploadId)).toMatchObject({
      readAs: 'CSV, Windows-1250 (as chosen on the upload form)',
      rowsValid: 1,
    });
    const validated = await db.auditEvent.findFirst({
      where: { type: 'upload.validated', userId: admin.id },
      orderBy: { createdAt: 'desc' },
    });
    expect(validated?.detail).toMatchObject({
      uploadId: chosen.uploadId,
      encoding: 'Windows-1250',
      encodingSource: 'chosen',
    });
    await importUpload({
      uploadId: chosen.uploadId,
      adminId: admin.id,
      allOrNothing: true,
      existingMode: 'skip',
      sender: capturingSender(),
    });
    expect(await db.user.findFirst({ where: { usernameKey: `${p}cz` } })).toMatchObject({
      name: 'Jiří Škoda',
    });
  });

  it("CSV-01 imports a workbook's zero-padded username and long phone as Excel shows them, reports a formula without a result on its cell, and refuses a zip bomb", async () => {
    const admin = await createAdmin();
    const p = uniquePrefix();
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Users');
    sheet.addRow(['Username', 'Name', 'Email', 'Phone', 'Role', '2FA']);
    // A username typed as a number in a zero-padded format, a phone in a format that adds "+".
    sheet.addRow([42, 'A', `${p}a@example.com`, 4915112345678, 'user', true]);
    sheet.getCell('A2').numFmt = `"${p}"00000`;
    sheet.getCell('D2').numFmt = '"+"0';
    sheet.addRow([`${p}b`, null, `${p}b@example.com`, null, 'user', false]);
    sheet.getCell('B3').value = { formula: 'A2&"!"' } as ExcelJS.CellFormulaValue;
    const result = (await upload(
      admin.id,
      new Uint8Array(await book.xlsx.writeBuffer()),
      'u.xlsx',
    )) as { uploadId: string };
    expect(await getUpload(result.uploadId)).toMatchObject({
      rowsValid: 1,
      rowsInvalid: 1,
      problems: [{ row: 3, column: 'name', reason: expect.stringMatching(/formula whose result/) }],
    });
    await importUpload({
      uploadId: result.uploadId,
      adminId: admin.id,
      allOrNothing: false,
      existingMode: 'skip',
      sender: capturingSender(),
    });
    expect(await db.user.findFirst({ where: { usernameKey: `${p}00042` } })).toMatchObject({
      phone: '+4915112345678',
    });

    // A bomb that declares what it unpacks to (1 GiB; only 4 MiB is in it, to keep the test
    // quick: the unit tests unpack real ones) is refused before any of it is unpacked.
    const bomb = sheetBomb(4 * 1024 * 1024, 1024 * 1024 * 1024);
    const refused = await upload(admin.id, bomb, 'bomb.xlsx');
    expect(refused).toEqual({
      ok: false,
      error: expect.stringMatching(/sheet unpacks to more than \d+ MB/),
    });
  });
});
