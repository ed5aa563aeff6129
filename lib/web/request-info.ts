import 'server-only';
import { headers } from 'next/headers';
import type { RequestInfo } from '@/lib/audit/request-info';
import { env } from '@/lib/env';

/** Client IP and user agent of the current request, for audit events and sessions. */
export async function getRequestInfo(): Promise<RequestInfo> {
  return requestInfoFrom(await headers());
}

export function requestInfoFrom(h: Headers): RequestInfo {
  // Vercel and most proxies put the client first in x-forwarded-for; the platform overwrites it.
  const forwarded = h.get('x-forwarded-for')?.split(',')[0]?.trim();
  const ip = forwarded || h.get('x-real-ip') || null;
  const location = approximateLocation(h);
  // An IPv4 client seen through a dual-stack socket reads "::ffff:203.0.113.7": show it as IPv4.
  return {
    ip: ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '') ?? null,
    userAgent: h.get('user-agent'),
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
