import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createNonce, strictTransportSecurity } from './security-headers';

const directives = (policy: string) =>
  new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('security headers', () => {
  it('CSP: scripts only with the nonce, never unsafe-inline; no framing, no plugins, no base or form hijack', () => {
    const policy = directives(
      contentSecurityPolicy({ nonce: 'abc123==', development: false, https: false }),
    );
    expect(policy.get('script-src')).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(policy.get('style-src')).toEqual(["'self'", "'nonce-abc123=='"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'self'"]);
    expect(policy.has('upgrade-insecure-requests')).toBe(false);
    for (const [name, values] of policy)
      if (name !== 'style-src-attr') expect(values, name).not.toContain("'unsafe-inline'");
  });

  it("CSP: 'unsafe-eval' and inline <style> only in development (next dev's CSS); upgrade-insecure-requests only over HTTPS", () => {
    const dev = directives(contentSecurityPolicy({ nonce: 'n', development: true, https: false }));
    expect(dev.get('script-src')).toEqual([
      "'self'",
      "'nonce-n'",
      "'strict-dynamic'",
      "'unsafe-eval'",
    ]);
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(contentSecurityPolicy({ nonce: 'n', development: false, https: true })).not.toContain(
      "'unsafe-eval'",
    );
    expect(
      directives(contentSecurityPolicy({ nonce: 'n', development: false, https: true })).has(
        'upgrade-insecure-requests',
      ),
    ).toBe(true);
  });

  it('HSTS is sent only when the origin is https', () => {
    expect(strictTransportSecurity(true)).toBe('max-age=63072000; includeSubDomains');
    expect(strictTransportSecurity(false)).toBeNull();
  });

  it('SE-01 nonces are 128 random bits, different every time', () => {
    const nonces = new Set(Array.from({ length: 1000 }, createNonce));
    expect(nonces.size).toBe(1000);
    for (const n of nonces) expect(Buffer.from(n, 'base64')).toHaveLength(16);
  });
});
