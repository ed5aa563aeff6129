import 'server-only';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { cookies, headers } from 'next/headers';
import { env } from '@/lib/env';
import { cookieOptions, flashCookieName } from '@/lib/auth/cookies';
import type { FormState } from '@/lib/auth/form-state';

// A form posted without JavaScript is answered with a 303 back to its page; what the form would
// have shown (the message, the username typed) rides along in a short-lived cookie, read once:
// proxy.ts hands it to that page in a request header and drops the cookie from the browser with
// the page's response (a cookie the proxy deletes is gone from the page's view of the request
// too). The cookie is signed: only this server's own messages are ever shown, whoever else could
// set a cookie.

/** The request header proxy.ts passes the flash in (it removes any a client sent). */
export const FLASH_HEADER = 'x-latchkey-flash';

const MAX_AGE_SECONDS = 60;
const MAX_COOKIE_CHARS = 3500;
let key: Buffer | undefined;
const signingKey = () =>
  (key ??= Buffer.from(hkdfSync('sha256', env.AUTH_SECRET, '', 'latchkey form flash', 32)));

type Flash = {
  form: string;
  /** When it was made (ms): a flash is good for MAX_AGE_SECONDS. */ at?: number;
} & FormState;

const sign = (payload: string) =>
  createHmac('sha256', signingKey()).update(payload).digest('base64url');

export function encodeFlash(flash: Flash): string {
  const payload = Buffer.from(JSON.stringify(flash)).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function decodeFlash(
  value: string | undefined,
  form: string,
  now: number = Date.now(),
): FormState | undefined {
  if (!value) return undefined;
  const [payload, mac] = value.split('.');
  if (!payload || !mac) return undefined;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const flash = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Flash;
    if (flash.form !== form) return undefined;
    // Signed but old (kept by a client and sent again): shown only within its minute.
    if (typeof flash.at !== 'number' || now - flash.at > MAX_AGE_SECONDS * 1000 || flash.at > now)
      return undefined;
    const state: FormState = {};
    if (typeof flash.error === 'string') state.error = flash.error;
    if (typeof flash.info === 'string') state.info = flash.info;
    if (flash.values && typeof flash.values === 'object') state.values = flash.values;
    return state;
  } catch {
    return undefined;
  }
}

/** Keeps a form's state for the page a no-JavaScript post is sent back to. */
export async function setFlash(form: string, state: FormState): Promise<void> {
  const at = Date.now();
  let value = encodeFlash({ form, at, ...state });
  // A browser drops a cookie over ~4 KB: a huge typed value is not kept, the message always is.
  if (value.length > MAX_COOKIE_CHARS) value = encodeFlash({ form, at, ...state, values: {} });
  (await cookies()).set(flashCookieName, value, {
    ...cookieOptions,
    maxAge: MAX_AGE_SECONDS,
  });
}

/** The state a no-JavaScript post of this form left for its page, if any. */
export async function readFlash(form: string): Promise<FormState | undefined> {
  return decodeFlash((await headers()).get(FLASH_HEADER) ?? undefined, form);
}
