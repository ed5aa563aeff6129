import { requireAdmin } from '@/lib/web/current-user';
import { getRequestInfo } from '@/lib/web/request-info';
import { auditCsvLines, parseAuditQuery } from '@/lib/audit/audit-log';
import { recordEvent } from '@/lib/audit/record-event';

// The audit log as CSV, with the page's filter. Every cell is escaped against formula injection
// (CSV-04, lib/uploads/problem-report.ts). Streamed, so a large export never sits in memory.
// A GET that writes one audit row: reading the log is itself worth a trace, and changes nothing else.
export async function GET(request: Request) {
  const admin = await requireAdmin();
  const query = new URL(request.url).searchParams;
  const { filter } = parseAuditQuery({
    user: query.get('user') ?? '',
    type: query.get('type') ?? '',
    channel: query.get('channel') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
  });
  await recordEvent({
    type: 'audit.exported',
    userId: admin.id,
    ...(await getRequestInfo()),
    detail: {
      user: filter.username,
      type: filter.type,
      channel: filter.channel ?? '',
      from: filter.from?.toISOString() ?? null,
      to: filter.to?.toISOString() ?? null,
    },
  });

  const lines = auditCsvLines(filter);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('\uFEFF')); // a BOM, so spreadsheets read UTF-8
    },
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-log-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
