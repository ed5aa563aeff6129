import ExcelJS from 'exceljs';
import { expect, test, type Page } from './support/test';
import { signInWithCode } from './support/sign-in';
import {
  checkUpload,
  csvFile,
  expectUser,
  importValidRows,
  signInAdminWithoutJavaScript,
  stamp,
} from './support/upload';

// User Upload reads what Excel writes beyond western Windows (docs/decisions/0023): a CSV in
// Windows-1251 (Cyrillic) detected, a Czech Windows-1250 CSV read in the encoding the admin
// chooses on the form, and a workbook whose username and phone are numbers in number formats,
// imported as Excel shows them. Checked on the upload page and on the users page.

async function uploadAndImport(
  page: Page,
  file: { name: string; mimeType: string; buffer: Buffer },
  options: { readAs: string; encoding?: string; rows: number },
) {
  await checkUpload(page, file, options);
  await expect(page.getByTestId('preview-counts')).toContainText(`Valid${options.rows}`);
  await importValidRows(page, options.rows);
}

test('CSV-01 admin uploads a Windows-1251 CSV with Cyrillic names, a Windows-1250 CSV in the encoding chosen on the form, and a workbook with number-formatted usernames and phones', async ({
  page,
  request,
  baseURL,
}) => {
  await signInWithCode(page, request, baseURL!, 'admin');
  const id = stamp();

  const cyrillic = [
    'Username,Name,Email,Phone,Role,2FA',
    `ivan${id},Иван Петров,ivan${id}@example.com,+1 415 555 0171,user,yes`,
    `olga${id},Ольга Смирнова,olga${id}@example.com,,user,no`,
  ];
  await uploadAndImport(page, csvFile(`cyr-${id}.csv`, cyrillic, 'windows-1251'), {
    readAs: 'CSV, Windows-1251',
    rows: 2,
  });
  await expectUser(page, `ivan${id}`, 'Иван Петров', '+1 415 555 0171');
  await expectUser(page, `olga${id}`, 'Ольга Смирнова', 'None');

  // Czech in Windows-1250 reads as letters in Windows-1252 too ("Jiøí Škoda"): the admin
  // chooses the encoding.
  const czech = [
    'Username,Name,Email,Phone,Role,2FA',
    `jiri${id},Jiří Škoda,jiri${id}@example.com,,user,no`,
  ];
  await uploadAndImport(page, csvFile(`cz-${id}.csv`, czech, 'windows-1250'), {
    readAs: 'CSV, Windows-1250 (as chosen on the upload form)',
    encoding: 'Windows-1250',
    rows: 1,
  });
  await expectUser(page, `jiri${id}`, 'Jiří Škoda', 'None');

  // Numbers in number formats: a username typed as 123 shown as "<prefix>00123", a phone typed
  // as 4155550172 shown as "(415) 555-0172", one typed as 4915112345678 shown with a "+".
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Staff');
  sheet.addRow(['Username', 'Name', 'Email', 'Phone', 'Role', '2FA']);
  sheet.addRow([123, 'Padded Name', `pad${id}@example.com`, 4155550172, 'user', true]);
  sheet.addRow([`de${id}`, 'German Phone', `de${id}@example.com`, 4915112345678, 'user', true]);
  sheet.getCell('A2').numFmt = `"emp${id}-"00000`;
  sheet.getCell('D2').numFmt = '(000) 000-0000';
  sheet.getCell('D3').numFmt = '"+"0';
  await uploadAndImport(
    page,
    {
      name: `staff-${id}.xlsx`,
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await book.xlsx.writeBuffer()),
    },
    { readAs: 'Excel workbook (.xlsx), first sheet', rows: 2 },
  );
  await expectUser(page, `emp${id}-00123`, 'Padded Name', '+1 415 555 0172');
  await expectUser(page, `de${id}`, 'German Phone', '+49 1511 2345678');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('CSV-01 the encoding chosen on the plain form goes with the file', async ({ page }) => {
    await signInAdminWithoutJavaScript(page);

    const id = stamp();
    await page.goto('/admin/users/upload');
    await page
      .getByLabel('CSV or Excel file')
      .setInputFiles(
        csvFile(
          `cz-nojs-${id}.csv`,
          [
            'Username,Name,Email,Phone,Role,2FA',
            `nojscz${id},Jiří Škoda,nojscz${id}@example.com,,user,no`,
          ],
          'windows-1250',
        ),
      );
    await page.getByLabel('Encoding').selectOption('Windows-1250');
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await expect(page.getByTestId('upload-read-as')).toHaveText(
      'CSV, Windows-1250 (as chosen on the upload form)',
    );
    await expect(page.getByTestId('preview-counts')).toContainText('Valid1');
  });
});
