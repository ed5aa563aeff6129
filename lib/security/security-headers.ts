// The per-request security headers that proxy.ts sets: a Content-Security-Policy around a fresh
// nonce, and HSTS where the site is served over HTTPS. Headers that never change per request
// (nosniff, Referrer-Policy, Permissions-Policy, X-Frame-Options) are in static-headers.ts, which
// next.config.ts applies, so they also cover static files, which the proxy skips.

export type PolicyContext = {
  nonce: string;
  /** `next dev`: React rebuilds server error stacks with eval, and CSS arrives as un-nonced <style>. */
  development: boolean;
  /** APP_ORIGIN is https://: add upgrade-insecure-requests and HSTS. */
  https: boolean;
};

/**
 * Scripts run only with this response's nonce, or when loaded by such a script ('strict-dynamic':
 * Next's runtime loads its chunks that way); there is no 'unsafe-inline' for scripts.
 * `<style>` elements need the nonce too. Style *attributes* are allowed ('unsafe-inline' in
 * style-src-attr only): Next's built-in 404 page and the upload progress bar render them on the
 * server, a style attribute cannot run script, and img-src/font-src/connect-src keep CSS from
 * loading anything off-site, so the usual CSS exfiltration paths stay closed.
 */
export function contentSecurityPolicy({ nonce, development, https }: PolicyContext): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    // `next dev` injects each CSS module as a <style> element without a nonce; a nonce in the list
    // would make browsers ignore 'unsafe-inline', so development gets 'unsafe-inline' alone.
    development ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // Over plain HTTP (local runs, e2e) upgrading would send subresources to a port with no TLS.
    ...(https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/**
 * Two years with subdomains, the value hstspreload.org asks for, but without `preload`: that is a
 * hard-to-undo commitment for the whole domain that the operator, not the app, should make.
 * Sent only over HTTPS: browsers ignore it on HTTP, and local HTTP runs must stay reachable.
 */
export function strictTransportSecurity(https: boolean): string | null {
  return https ? 'max-age=63072000; includeSubDomains' : null;
}

/** 128 random bits, base64: unguessable per response, as CSP nonces must be. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64');
}
