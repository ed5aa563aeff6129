// Configuration is validated at start-up, so a production start with a missing or malformed
// variable stops at once naming it, instead of failing at the first sign-in.
let env: typeof import('./lib/env').env;
try {
  ({ env } = await import('./lib/env'));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

// Valid but probably not meant: off Vercel with no trusted proxy, no request has a known address,
// so every client shares one per-address limit (docs/decisions/0017-client-address.md).
if (env.NODE_ENV === 'production' && env.VERCEL !== '1' && env.TRUSTED_PROXY_HOPS === 0)
  console.warn(
    'TRUSTED_PROXY_HOPS is 0: client addresses are unknown and every request shares one per-address limit. Behind a proxy, set it (docs/deploy.md, step 12).',
  );

export {};
