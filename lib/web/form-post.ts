import 'server-only';
import { env } from '@/lib/env';

// The sign-in's hot form posts are route handlers, not server actions (issue 13: no action
// machinery and no render for a redirect). A route handler gets none of the checks Next.js makes
// for an action, so the ones that matter are made here, for every such post:
// - CSRF (SE-08): the post must come from this origin. Browsers send `Origin` with every POST; it
//   must name the host the request was sent to (as Next.js checks an action) or APP_ORIGIN's
//   host. Without `Origin` (an old browser, or no browser at all) a browser's `Sec-Fetch-Site`
//   still tells a cross-site post, which is refused too; a client that sends neither is not a
//   browser a forged page could drive.
// - The answer fits the caller: the page's own script asks for JSON (`Accept: application/json`)
//   and gets the form's state; a plain form post (no JavaScript) gets a 303 to the next page.

/** True when a POST must be refused as cross-site (SE-08). */
export function isCrossSitePost(headers: Headers, appOrigin: string = env.APP_ORIGIN): boolean {
  const origin = headers.get('origin');
  if (origin === null) return headers.get('sec-fetch-site') === 'cross-site';
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true; // "null" (a sandboxed or privacy-sensitive context) and anything unparsable
  }
  if (!host) return true;
  // As Next.js checks an action: the first host a proxy forwarded for, or the Host itself.
  const forwarded = headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  return host !== forwarded && host !== headers.get('host') && host !== safeHost(appOrigin);
}

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** The page's own script asks for JSON; a plain form post asks for a page. */
export function wantsJson(headers: Headers): boolean {
  return (headers.get('accept') ?? '').includes('application/json');
}

const noStore = { 'Cache-Control': 'no-store' };

/**
 * "Go to this page now" after a POST: a 303 for a form, `{ redirect }` for the page's script.
 * `path` is always one of the app's own paths, never taken from the request.
 */
export function nextPage(request: Request, path: `/${string}`): Response {
  if (wantsJson(request.headers)) return Response.json({ redirect: path }, { headers: noStore });
  return new Response(null, { status: 303, headers: { Location: path, ...noStore } });
}

/** 403 for a cross-site post: nothing was read or counted. */
export function crossSiteRefusal(): Response {
  return plain(403, 'Cross-site form posts are not accepted.');
}

/** The largest sign-in form accepted: a username, a password (at most 4,096), a code, a flag. */
export const MAX_FORM_BYTES = 16 * 1024;
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * Reads a posted form of at most MAX_FORM_BYTES, or answers why not: 415 for a body that is not a
 * form, 413 for a larger one (declared, or counted while it streams in: nothing bigger is ever
 * held). A server action had Next.js's body limit; a route handler has none of its own.
 */
export async function readForm(request: Request): Promise<FormData | Response> {
  const type = request.headers.get('content-type') ?? '';
  if (!FORM_TYPES.some((t) => type.toLowerCase().startsWith(t)))
    return plain(415, 'Post the sign-in form.');
  if (Number(request.headers.get('content-length') ?? 0) > MAX_FORM_BYTES) return tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done || !value) break;
      size += value.byteLength;
      if (size > MAX_FORM_BYTES) {
        await reader.cancel().catch(() => undefined);
        return tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return await new Response(Buffer.concat(chunks), {
      headers: { 'content-type': type },
    }).formData();
  } catch {
    return new FormData(); // unparsable: an empty form, answered like one
  }
}

const tooLarge = () => plain(413, 'The form is larger than a sign-in form can be.');

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...noStore },
  });
}
