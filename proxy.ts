import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { contentSecurityPolicy, createNonce, strictTransportSecurity } from '@/lib/security/security-headers';

// Headers only: a fresh CSP nonce per request, and HSTS over HTTPS. No sessions, no database, no
// redirects: the real checks live in the data-access layer that every page and action calls.
//
// Next.js reads the nonce from the *request's* Content-Security-Policy header while rendering and
// puts it on its own scripts, so the policy goes on the request as well as on the response.

export function proxy(request: NextRequest) {
  const https = env.APP_ORIGIN.startsWith('https://');
  const policy = contentSecurityPolicy({ nonce: createNonce(), development: env.NODE_ENV === 'development', https });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
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
