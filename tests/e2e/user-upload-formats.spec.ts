import ExcelJS from 'exceljs';
import { expect, test, type Page } from './support/test';
import { signInWithCode } from './support/sign-in';
import { checkUpload, csvFile, expectUser, importValidRows, stamp } from './support/upload';

// User Upload takes what admins export (issue 14): an Excel workbook and Excel's plain "CSV"
// (Windows-1252), with the column names people type, in their own order. The files are made
// here, as Excel would save them, and the created users are checked on the users page.

async function uploadAndImport(
  page: Page,
  file: { name: string; mimeType: string; buffer: Buffer },
  readAs: string,
) {
  await checkUpload(page, file, { readAs });
  await expect(page.getByTestId('upload-unknown-columns')).toContainText('Department (');
  await expect(page.getByTestId('preview-counts')).toContainText('Rows read3');
  await expect(page.getByTestId('preview-counts')).toContainText('Valid2');
  await expect(page.getByTestId('preview-counts')).toContainText('With problems1');
  await importValidRows(page, 2);
}

test('CSV-01 CSV-02 admin uploads an Excel workbook and a Windows-1252 CSV with their own column names; accents, phone numbers typed as numbers and row numbers come through', async ({
  page,
  request,
  baseURL,
}) => {
  await signInWithCode(page, request, baseURL!, 'admin');
  const id = stamp();

  // The workbook: columns in the admin's order and words, a phone typed as a number, a
  // formula, a blank row (still counted), a bad email on Excel's row 5.
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Staff');
  sheet.addRow(['E-mail', 'User Name', 'Full Name', 'Department', 'Phone Number', '2FA', 'Role']);
  sheet.addRow([
    `zoe${id}@example.com`,
    `zoe${id}`,
    'Zoë Müller',
    'Sales',
    14155550161,
    true,
    'user',
  ]);
  sheet.addRow([]);
  const second = sheet.addRow([`ann${id}@example.com`, '', 'Ann Öberg', 'HR', null, false, 'user']);
  second.getCell(2).value = { formula: `LOWER("ANN${id}")`, result: `ann${id}` };
  sheet.addRow(['not-an-email', `bad${id}`, 'Bad Row', 'IT', null, false, 'user']);
  await uploadAndImport(
    page,
    {
      name: `staff-${id}.xlsx`,
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await book.xlsx.writeBuffer()),
    },
    'Excel workbook (.xlsx), first sheet',
  );
  const problem = page.getByRole('row', { name: /Enter an email address/ });
  await expect(problem.getByRole('cell').nth(0)).toHaveText('5');
  await expectUser(page, `zoe${id}`, 'Zoë Müller', '+1 415 555 0161');
  await expectUser(page, `ann${id}`, 'Ann Öberg', 'None');

  // Excel's "CSV" on a western Windows: Windows-1252, no BOM.
  const csv = [
    'Username,Name,Email,Mobile,Role,Two-Factor,Department',
    `jose${id},José Peña,jose${id}@example.com,+1 415 555 0162,user,yes,Ventas`,
    `noel${id},Noël Ça,noel${id}@example.com,,user,no,Vente`,
    `admin${id},Bad Admin,admin${id}@example.com,,admin,no,IT`,
  ];
  await uploadAndImport(
    page,
    csvFile(`people-${id}.csv`, csv, 'windows-1252'),
    'CSV, Windows-1252',
  );
  await expectUser(page, `jose${id}`, 'José Peña', '+1 415 555 0162');
  await expectUser(page, `noel${id}`, 'Noël Ça', 'None');
});
