import { requireAdmin } from '@/lib/web/current-user';
import { problemReport } from '@/lib/uploads/upload-views';

// The full problem report of one upload as CSV, every cell escaped against formula injection
// (CSV-04, in lib/uploads/problem-report.ts).
export async function GET(request: Request) {
  await requireAdmin();
  const id = new URL(request.url).searchParams.get('id') ?? '';
  const report = id.length > 0 && id.length <= 64 ? await problemReport(id) : null;
  if (!report) return new Response('Not Found', { status: 404 });
  return new Response(`\uFEFF${report.csv}`, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${report.fileName}"`,
      'Cache-Control': 'no-store',
    },
  });
}
