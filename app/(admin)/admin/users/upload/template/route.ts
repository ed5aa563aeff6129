import { requireAdmin } from '@/lib/web/current-user';
import { TEMPLATE_CSV } from '@/lib/uploads/upload-columns';

// The template CSV: the header and two example rows, with a BOM so that spreadsheet programs
// open it as UTF-8.
export async function GET() {
  await requireAdmin();
  return new Response(`\uFEFF${TEMPLATE_CSV}`, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="user-upload-template.csv"',
      'Cache-Control': 'no-store',
    },
  });
}
