import { listOutbox } from '@/lib/delivery/outbox-sender';
import { isOutboxActive } from '@/lib/delivery/senders';

// The development outbox as JSON, newest first: e2e tests read codes from here. A 404 whenever
// the outbox is off, so a production deployment does not even reveal that the route exists.

export const dynamic = 'force-dynamic';

export async function GET() {
  if (!isOutboxActive()) return new Response('Not Found', { status: 404 });
  return Response.json(await listOutbox(), { headers: { 'Cache-Control': 'no-store' } });
}
