// Headers that are the same on every response: next.config.ts sets them on everything Next.js
// serves, static files included; an answer given before Next.js sees the request (the early
// refusal of a password step, lib/web/early-refusal.ts) sets them itself. The per-request ones
// (the CSP with its nonce, HSTS) are in security-headers.ts.
// 'same-origin' referrers: reset and invitation links carry tokens in the URL. X-Frame-Options
// repeats CSP's frame-ancestors 'none' for browsers without CSP 2.
export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
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
];
