import { listOutbox } from '@/lib/delivery/outbox-sender';
import { canReadOutbox } from '@/lib/web/outbox-access';

// The outbox as JSON, newest first: e2e tests read codes from here. 404 whenever this request
// may not read it (the outbox is off; or, under `next start`, no token and no admin session):
// a refusal reveals nothing, not even that the route exists (decision 0018).

export const dynamic = 'force-dynamic';

export async function GET() {
  if (!(await canReadOutbox())) return new Response('Not Found', { status: 404 });
  return Response.json(await listOutbox(), { headers: { 'Cache-Control': 'no-store' } });
}
