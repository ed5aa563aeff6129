import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { signInGate } from '@/lib/auth/sign-in-gate';
import {
  contentSecurityPolicy,
  createNonce,
  strictTransportSecurity,
} from '@/lib/security/security-headers';

// Headers: a fresh CSP nonce per request, and HSTS over HTTPS. No sessions, no database, no
// redirects: the real checks live in the data-access layer that every page and action calls.
// One refusal: a password step posted as a form (`POST /login` without JavaScript) when this
// instance's sign-in gate is full (lib/auth/sign-in-gate.ts) gets 503 at once, before any work,
// instead of waiting its turn (P5). A JavaScript call (`Next-Action` header) goes on to the
// action, which the gate refuses just as fast and the form shows as a message.
//
// Next.js reads the nonce from the *request's* Content-Security-Policy header while rendering and
// puts it on its own scripts, so the policy goes on the request as well as on the response.

export function proxy(request: NextRequest) {
  const https = env.APP_ORIGIN.startsWith('https://');
  const policy = contentSecurityPolicy({
    nonce: createNonce(),
    development: env.NODE_ENV === 'development',
    https,
  });
  if (
    request.method === 'POST' &&
    request.nextUrl.pathname === '/login' &&
    !request.headers.has('next-action') &&
    signInGate(env.SIGN_IN_CONCURRENCY, env.SIGN_IN_QUEUE_WAIT_MS).full()
  ) {
    return busy(policy, https);
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  const hsts = strictTransportSecurity(https);
  if (hsts) response.headers.set('Strict-Transport-Security', hsts);
  return response;
}

/** Seconds a refused sign-in is told to wait: a queue of a few hashes drains well within it. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * The answer to a form-posted password step the instance has no room for: a plain page; nothing
 * was checked or counted against the account or the address.
 */
function busy(policy: string, https: boolean) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Busy, try again</title></head><body style="font-family:system-ui,sans-serif;max-width:28rem;margin:6rem auto;padding:0 1rem;text-align:center"><h1>Too many sign-ins right now</h1><p>Nothing was checked or counted. Wait a second and sign in again.</p><p><a href="/login">Back to sign-in</a></p></body></html>`;
  const response = new NextResponse(html, {
    status: 503,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
      'Cache-Control': 'no-store',
    },
  });
  response.headers.set('Content-Security-Policy', policy);
  const hsts = strictTransportSecurity(https);
  if (hsts) response.headers.set('Strict-Transport-Security', hsts);
  return response;
}

export const config = {
  matcher: [
    {
      // Static chunks and images carry no markup; next.config.ts headers still cover them.
      source: '/((?!_next/static|_next/image|favicon.ico).*)',
      // Router prefetches fetch RSC payloads, not documents: no nonce is ever used from them.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
