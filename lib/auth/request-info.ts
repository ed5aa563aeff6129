import 'server-only';
import { headers } from 'next/headers';
import type { RequestInfo } from '@/lib/auth/sign-in';

/** Client IP and user agent of the current request, for audit events and sessions. */
export async function getRequestInfo(): Promise<RequestInfo> {
  return requestInfoFrom(await headers());
}

export function requestInfoFrom(h: Headers): RequestInfo {
  // Vercel and most proxies put the client first in x-forwarded-for; the platform overwrites it.
  const forwarded = h.get('x-forwarded-for')?.split(',')[0]?.trim();
  const ip = forwarded || h.get('x-real-ip') || null;
  // An IPv4 client seen through a dual-stack socket reads "::ffff:203.0.113.7": show it as IPv4.
  return { ip: ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '') ?? null, userAgent: h.get('user-agent') };
}
