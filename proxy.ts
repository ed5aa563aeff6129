import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { expiredCookie, flashCookieName } from '@/lib/auth/cookies';
import { FLASH_HEADER } from '@/lib/web/form-flash';
import {
  contentSecurityPolicy,
  createNonce,
  strictTransportSecurity,
} from '@/lib/security/security-headers';

// Headers: a fresh CSP nonce per request, and HSTS over HTTPS. No sessions, no database, no
// redirects: the real checks live in the data-access layer that every page and action calls.
// One chore: a form's message left for a page after a post made without JavaScript
// (lib/web/form-flash.ts) goes to the page in a request header and is dropped from the browser
// by this response, so it shows once.
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
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', policy);
  requestHeaders.delete(FLASH_HEADER);
  const flash = request.method === 'GET' ? request.cookies.get(flashCookieName)?.value : undefined;
  if (flash) requestHeaders.set(FLASH_HEADER, flash);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  const hsts = strictTransportSecurity(https);
  if (hsts) response.headers.set('Strict-Transport-Security', hsts);
  if (flash) response.cookies.set(flashCookieName, '', expiredCookie);
  return response;
}

export const config = {
  matcher: [
    {
      // Static chunks and images carry no markup; next.config.ts headers still cover them. Nor do
      // the sign-in's two hot posts (route handlers answering JSON or a redirect, decision 0026):
      // skipping the proxy there saves its pass on the requests an instance serves most; the one
      // page they can answer with (503, busy) carries its own policy.
      source:
        '/((?!_next/static|_next/image|favicon.ico|login/password/?$|login/verify/code/?$).*)',
      // Router prefetches fetch RSC payloads, not documents: no nonce is ever used from them.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
