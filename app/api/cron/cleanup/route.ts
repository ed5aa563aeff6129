import { env } from '@/lib/env';
import { cleanUp } from '@/lib/maintenance/cleanup';
import { authorizeCronRequest } from '@/lib/maintenance/cron-authorization';

// Daily clean-up, called by Vercel Cron (vercel.json) with `Authorization: Bearer $CRON_SECRET`.
// It only deletes what has expired, so running it twice, or by hand, is harmless:
//   curl -H "Authorization: Bearer $CRON_SECRET" https://login.example.com/api/cron/cleanup

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const authorization = authorizeCronRequest(request.headers.get('authorization'), env.CRON_SECRET);
  if (authorization === 'not-configured') {
    console.error('cron: CRON_SECRET is not set, so /api/cron/cleanup refuses every caller');
    return Response.json({ error: 'CRON_SECRET is not configured' }, { status: 503 });
  }
  if (authorization === 'denied') return Response.json({ error: 'unauthorized' }, { status: 401 });
  try {
    const report = await cleanUp();
    console.log('cron: cleanup', JSON.stringify(report));
    return Response.json({ ok: true, ...report });
  } catch (error) {
    console.error('cron: cleanup failed', error);
    return Response.json({ ok: false, error: 'cleanup failed' }, { status: 500 });
  }
}
