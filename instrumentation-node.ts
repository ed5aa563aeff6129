// Configuration is validated at start-up, so a production start with a missing or malformed
// variable stops at once naming it, instead of failing at the first sign-in.
let env: typeof import('./lib/env').env;
try {
  ({ env } = await import('./lib/env'));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

export {};

// Valid but probably not meant: off Vercel with no trusted proxy, no request has a known address,
// so every client shares one per-address limit (docs/decisions/0017-client-address.md).
if (env.NODE_ENV === 'production' && env.VERCEL !== '1' && env.TRUSTED_PROXY_HOPS === 0)
  console.warn(
    'TRUSTED_PROXY_HOPS is 0: client addresses are unknown and every request shares one per-address limit. Behind a proxy, set it (docs/deploy.md, step 12).',
  );

// A long-lived server takes its requests in turn (decision 0035); on Vercel the platform spreads
// them over instances instead, and `next dev` compiles on request.
if (env.NODE_ENV === 'production' && env.VERCEL !== '1') {
  const { availableParallelism } = await import('node:os');
  const { admitServerRequests, createAdmission, defaultAdmissionLimit, pathsExempt } =
    await import('./lib/web/request-admission');
  const { PASSWORD_STEP_PATH } = await import('./app/(auth)/login/password-form-name');
  const { earlyPasswordStepRefusal } = await import('./lib/web/early-refusal');
  const limit = env.REQUEST_CONCURRENCY ?? defaultAdmissionLimit(availableParallelism());
  if (limit > 0)
    admitServerRequests(
      createAdmission({
        limit,
        // The password step has a gate of its own that queues and refuses (lib/auth/sign-in-gate.ts).
        exempt: pathsExempt([PASSWORD_STEP_PATH]),
        // …and while that gate is full, refuses the step here, before Next.js routes it.
        early: earlyPasswordStepRefusal,
      }),
    );
}

export {};
