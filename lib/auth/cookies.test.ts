import { afterEach, describe, expect, it, vi } from 'vitest';

// cookies.ts decides names and attributes once, from APP_ORIGIN, when it is loaded: each case
// loads a fresh copy (with a fresh lib/env) under the origin it tests.
async function cookiesFor(origin: string) {
  vi.resetModules();
  vi.stubEnv('APP_ORIGIN', origin);
  return import('./cookies');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('auth cookie names and attributes', () => {
  it('SE-04 over https every auth cookie is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const cookies = await cookiesFor('https://login.example.com');
    expect(cookies.secureCookies).toBe(true);
    expect([cookies.ticketCookieName, cookies.sessionCookieName, cookies.deviceCookieName]).toEqual(
      ['__Host-latchkey.ticket', '__Host-latchkey.session', '__Host-latchkey.device'],
    );
    expect(cookies.cookieOptions).toEqual({
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
    });
    // __Host- cookies must not name a Domain; the options never set one.
    expect(cookies.cookieOptions).not.toHaveProperty('domain');
    // Ending one must repeat Secure and Path=/, or the browser ignores the Set-Cookie.
    expect(cookies.expiredCookie).toEqual({ ...cookies.cookieOptions, maxAge: 0 });
  });

  it('SE-04 over plain http (local development) the names drop the prefix, which browsers would refuse there', async () => {
    const cookies = await cookiesFor('http://localhost:3000');
    expect(cookies.secureCookies).toBe(false);
    expect(cookies.sessionCookieName).toBe('latchkey.session');
    expect(cookies.cookieOptions).toEqual({
      httpOnly: true,
      secure: false,
      sameSite: 'lax',
      path: '/',
    });
  });
});
