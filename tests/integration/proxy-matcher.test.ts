import { describe, expect, it } from 'vitest';
import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { config } from '@/proxy';

// proxy.ts runs for every page (the CSP nonce, HSTS, the form flash) but not for static files and
// not for the sign-in's two hot posts (decision 0026). The exclusion names those two paths
// exactly: a page whose path merely starts the same way still gets the proxy.

const runs = (url: string, headers: Record<string, string> = {}) =>
  unstable_doesMiddlewareMatch({ config, url, headers });

describe('where proxy.ts runs', () => {
  it('runs for pages, the sign-in pages included', () => {
    for (const url of ['/', '/login', '/login/method', '/login/verify', '/account', '/admin'])
      expect(runs(url), url).toBe(true);
  });

  it('skips the two hot posts, exactly those paths', () => {
    expect(runs('/login/password')).toBe(false);
    expect(runs('/login/verify/code')).toBe(false);
    for (const url of ['/login/password-reset', '/login/passwordless', '/login/verify/codes'])
      expect(runs(url), url).toBe(true);
  });

  it('skips static chunks and router prefetches', () => {
    expect(runs('/_next/static/chunks/app.js')).toBe(false);
    expect(runs('/account', { 'next-router-prefetch': '1' })).toBe(false);
  });
});
