import 'server-only';
import { headers } from 'next/headers';
import type { RequestInfo } from '@/lib/audit/request-info';
import { clientAddress, type ProxyTrust } from '@/lib/client-address';
import { env } from '@/lib/env';

/** Client IP and user agent of the current request, for audit events and sessions. */
export async function getRequestInfo(): Promise<RequestInfo> {
  return requestInfoFrom(await headers());
}

/** Which forwarding headers this deployment may believe (docs/decisions/0017-client-address.md). */
export const proxyTrust = (): ProxyTrust => ({
  onVercel: env.VERCEL === '1',
  trustedProxyHops: env.TRUSTED_PROXY_HOPS,
});

export function requestInfoFrom(h: Headers, trust: ProxyTrust = proxyTrust()): RequestInfo {
  // The address only from a header this deployment trusts, and only when it is an address: a
  // client's own X-Forwarded-For lifts no limit and reaches no log or email (0017).
  const location = approximateLocation(h);
  return {
    ip: clientAddress(h, trust),
    userAgent: h.get('user-agent')?.slice(0, 500) || null,
    ...(location ? { location } : {}),
  };
}

/** "Berlin, DE" from Vercel's geolocation headers; elsewhere those headers could be forged. */
function approximateLocation(h: Headers): string | null {
  if (env.VERCEL !== '1') return null;
  const city = h.get('x-vercel-ip-city');
  const country = h.get('x-vercel-ip-country');
  const place = [city ? safeDecode(city) : null, country].filter(Boolean).join(', ');
  return place ? place.slice(0, 100) : null;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
