import { describe, expect, it } from 'vitest';
import { isCrossSitePost, nextPage, wantsJson } from '@/lib/web/form-post';
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

  it('round-trips a form state for its own form only', () => {
    const value = encodeFlash({ form: 'password', ...state });
    expect(decodeFlash(value, 'password')).toEqual(state);
    expect(decodeFlash(value, 'verify')).toBeUndefined();
  });

  it('shows nothing from a cookie this server did not sign', () => {
    const value = encodeFlash({ form: 'password', ...state });
    const [payload, mac] = value.split('.');
    const forged = Buffer.from(
      JSON.stringify({ form: 'password', error: 'Call +1 555 0100 to unlock your account.' }),
    ).toString('base64url');
    for (const bad of [`${forged}.${mac}`, `${payload}.${mac!.slice(1)}`, payload!, '', 'a.b.c'])
      expect(decodeFlash(bad, 'password'), bad).toBeUndefined();
  });
});
