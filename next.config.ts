import type { NextConfig } from 'next';
import { STATIC_SECURITY_HEADERS } from './lib/security/static-headers';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Native and WASM packages stay outside the server bundle.
  serverExternalPackages: [
    '@node-rs/argon2',
    '@electric-sql/pglite',
    '@electric-sql/pglite-socket',
  ],
  // next dev refuses its HMR socket to 127.0.0.1 unless listed (STACK.md gotcha 6).
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  // A User Upload without JavaScript posts the whole file to a server action (default limit 1 MB).
  // Kept under Vercel's 4.5 MB request cap; larger files go in chunks to a route handler.
  experimental: { serverActions: { bodySizeLimit: '4.5mb' } },
  // Headers that are the same on every response, static files included
  // (lib/security/static-headers.ts). The Content-Security-Policy (a nonce per request) and HSTS
  // (only when APP_ORIGIN is https, read at run time) are set in proxy.ts.
  async headers() {
    return [{ source: '/:path*', headers: [...STATIC_SECURITY_HEADERS] }];
  },
};

export default nextConfig;
