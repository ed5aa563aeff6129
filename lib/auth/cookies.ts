import 'server-only';
import { env } from '@/lib/env';

// Cookie names and attributes (SE-04). Over HTTPS every auth cookie is `Secure` and
// `__Host-`-prefixed (no Domain, Path=/), which pins it to the exact origin; plain-HTTP
// development on localhost cannot use the prefix, so the names drop it there.
// (`?? ''`: during `next build` with SKIP_ENV_VALIDATION=1 the value may be absent.)
export const secureCookies = (env.APP_ORIGIN ?? '').startsWith('https://');
const prefix = secureCookies ? '__Host-' : '';

export const cookieOptions = {
  httpOnly: true,
  secure: secureCookies,
  sameSite: 'lax',
  path: '/',
} as const;

/**
 * Attributes that end a cookie. Set with an empty value rather than `cookies().delete(name)`,
 * which sends no `Secure`: a browser ignores a `__Host-` cookie set without it, so the delete
 * would never take effect over HTTPS.
 */
export const expiredCookie = { ...cookieOptions, maxAge: 0 } as const;

export const ticketCookieName = `${prefix}latchkey.ticket`;
export const sessionCookieName = `${prefix}latchkey.session`;
export const deviceCookieName = `${prefix}latchkey.device`;
/** A form error carried across the 303 of a post made without JavaScript; read once. */
export const flashCookieName = `${prefix}latchkey.flash`;
