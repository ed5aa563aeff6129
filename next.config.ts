import type { NextConfig } from 'next';

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
  // Headers that are the same on every response, static files included. The Content-Security-Policy
  // (a nonce per request) and HSTS (only when APP_ORIGIN is https, read at run time) are set in
  // proxy.ts. X-Frame-Options repeats CSP's frame-ancestors 'none' for browsers without CSP 2.
  // 'same-origin' referrers: reset and invitation links carry tokens in the URL.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          // Nothing here needs these powers; WebOTP (SMS code autofill) stays allowed for this origin.
          {
            key: 'Permissions-Policy',
            value:
              'camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=(), otp-credentials=(self)',
          },
        ],
      },
    ];
  },
};

export default nextConfig;
