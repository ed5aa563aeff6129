import { env } from '@/lib/env';

// The baseline of bench/verify.ts: a route handler of the same build that does no work, so the
// difference to a code verify is what the verify itself costs. 404 unless BENCH_ROUTES=1.

export const dynamic = 'force-dynamic';

export function POST(): Response {
  if (!env.BENCH_ROUTES) return new Response('Not found', { status: 404 });
  return new Response('ok', { headers: { 'content-type': 'text/plain' } });
}

export const GET = POST;
