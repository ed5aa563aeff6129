// Writes the bench's 100,000-row User Upload as an Excel workbook, in its own process so the
// writer's memory is not counted in the bench's peak RSS. The same rows as the bench's CSV, as
// Excel would hold them: text in the shared strings table (Excel keeps it after the sheet in the
// zip, so the reader must set the sheet aside until it has the strings), a third of the phone
// numbers typed as numbers, two_factor as booleans.
//
//   node bench/make-upload-xlsx.mjs <file> <rows>
import ExcelJS from 'exceljs';

const [file, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 100_000);
const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
const sheet = book.addWorksheet('Users');
sheet.addRow(['User Name', 'Full Name', 'E-mail', 'Phone Number', 'Role', '2FA']).commit();
for (let i = 1; i <= rows; i++) {
  const n = String(i).padStart(6, '0');
  const last = String(i % 10_000).padStart(4, '0');
  const phone = i % 3 === 0 ? 14155550000 + Number(last) : i % 3 === 1 ? `(415) 555-${last}` : null;
  sheet
    .addRow([
      `bench-${n}`,
      `Bench Person ${n}`,
      `bench-${n}@example.com`,
      phone,
      i % 51 === 0 ? 'admin' : 'user',
      phone !== null,
    ])
    .commit();
}
sheet.commit();
await book.commit();
