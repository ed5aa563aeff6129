import { describe, expect, it } from 'vitest';
import {
  isCrossSitePost,
  MAX_FORM_BYTES,
  nextPage,
  readForm,
  wantsJson,
} from '@/lib/web/form-post';
import { decodeFlash, encodeFlash } from '@/lib/web/form-flash';

const headers = (h: Record<string, string>) => new Headers({ host: 'app.example:3000', ...h });
const APP = 'https://login.example.com';

describe('isCrossSitePost (SE-08)', () => {
  it('accepts a post from the host it was sent to, or from APP_ORIGIN', () => {
    expect(isCrossSitePost(headers({ origin: 'http://app.example:3000' }), APP)).toBe(false);
    expect(isCrossSitePost(headers({ origin: 'https://login.example.com' }), APP)).toBe(false);
    // Behind a proxy that names the original host, as Next.js checks an action.
    expect(
      isCrossSitePost(
        headers({ origin: 'https://public.example', 'x-forwarded-host': 'public.example' }),
        APP,
      ),
    ).toBe(false);
  });

  it('behind proxies: the first forwarded host, or the Host itself', () => {
    const behind = (origin: string, forwarded: string) =>
      isCrossSitePost(headers({ origin, 'x-forwarded-host': forwarded }), APP);
    expect(behind('https://public.example', 'public.example, internal.lb')).toBe(false);
    expect(behind('http://app.example:3000', 'public.example')).toBe(false);
    expect(behind('https://internal.lb', 'public.example, internal.lb')).toBe(true);
  });

  it('refuses another origin, a look-alike, a port change, "null" and garbage', () => {
    for (const origin of [
      'http://evil.example',
      'http://app.example:3000.evil.example',
      'http://app.example:3001',
      'https://login.example.com.evil.example',
      'null',
      'not a url',
      '',
    ])
      expect(isCrossSitePost(headers({ origin }), APP), origin).toBe(true);
  });

  it('without Origin, refuses what the browser marks cross-site and lets the rest through', () => {
    expect(isCrossSitePost(headers({ 'sec-fetch-site': 'cross-site' }), APP)).toBe(true);
    expect(isCrossSitePost(headers({ 'sec-fetch-site': 'same-origin' }), APP)).toBe(false);
    expect(isCrossSitePost(headers({}), APP)).toBe(false);
  });
});

describe('answers to a form post', () => {
  it('is JSON for the page script and a 303 for a plain form', async () => {
    expect(wantsJson(headers({ accept: 'application/json' }))).toBe(true);
    expect(wantsJson(headers({ accept: 'text/html,*/*' }))).toBe(false);
    const json = nextPage(
      new Request('http://x/', { headers: { accept: 'application/json' } }),
      '/account',
    );
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ redirect: '/account' });
    const plain = nextPage(new Request('http://x/'), '/login/method');
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/login/method');
    expect(plain.headers.get('cache-control')).toBe('no-store');
  });
});

describe('form flash', () => {
  const state = {
    error: 'The username or password is incorrect.',
    values: { username: 'Zoë <b>' },
  };

  it('round-trips a form state for its own form only, within its minute', () => {
    const at = Date.now();
    const value = encodeFlash({ form: 'password', at, ...state });
    expect(decodeFlash(value, 'password', at + 1000)).toEqual(state);
    expect(decodeFlash(value, 'verify', at + 1000)).toBeUndefined();
    expect(decodeFlash(value, 'password', at + 61_000), 'replayed later').toBeUndefined();
    expect(decodeFlash(encodeFlash({ form: 'password', ...state }), 'password'), 'undated').toBe(
      undefined,
    );
  });

  it('shows nothing from a cookie this server did not sign', () => {
    const value = encodeFlash({ form: 'password', at: Date.now(), ...state });
    const [payload, mac] = value.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        form: 'password',
        at: Date.now(),
        error: 'Call +1 555 0100 to unlock your account.',
      }),
    ).toString('base64url');
    for (const bad of [`${forged}.${mac}`, `${payload}.${mac!.slice(1)}`, payload!, '', 'a.b.c'])
      expect(decodeFlash(bad, 'password'), bad).toBeUndefined();
  });
});

describe('readForm', () => {
  const post = (body: BodyInit | null, type: string | null, extra: Record<string, string> = {}) =>
    new Request('http://x/login/password', {
      method: 'POST',
      body,
      headers: { ...(type ? { 'content-type': type } : {}), ...extra },
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);

  it('reads a URL-encoded or multipart sign-in form', async () => {
    const form = await readForm(
      post('username=zo%C3%AB&password=p%26ss', 'application/x-www-form-urlencoded'),
    );
    expect(form).toBeInstanceOf(FormData);
    expect(Object.fromEntries(form as FormData)).toEqual({ username: 'zoë', password: 'p&ss' });
    const multipart = new FormData();
    multipart.set('code', '123456');
    const read = await readForm(new Request('http://x/', { method: 'POST', body: multipart }));
    expect((read as FormData).get('code')).toBe('123456');
  });

  it('answers 415 for a body that is not a form, 413 past the limit, declared or streamed', async () => {
    expect(((await readForm(post('{}', 'application/json'))) as Response).status).toBe(415);
    expect(((await readForm(post(null, null))) as Response).status).toBe(415);
    const big = 'x'.repeat(MAX_FORM_BYTES + 1);
    const declared = await readForm(post(`password=${big}`, 'application/x-www-form-urlencoded'));
    expect((declared as Response).status).toBe(413);
    // A chunked body says nothing of its size: counted as it arrives, refused at the limit.
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 4096;
        controller.enqueue(new Uint8Array(4096).fill(120));
      },
    });
    const streamed = await readForm(post(endless, 'application/x-www-form-urlencoded'));
    expect((streamed as Response).status).toBe(413);
    expect(sent).toBeLessThan(MAX_FORM_BYTES + 3 * 4096);
  });
});
