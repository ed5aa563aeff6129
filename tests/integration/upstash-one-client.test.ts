import { describe, expect, it } from 'vitest';
import { createUser, testDeps, trustedBrowser } from '../support/sign-in-fixtures';

// The wiring (lib/store/store.ts, lib/rate-limit/get-rate-limiter.ts) puts the store and the rate
// limiter on one Upstash client, so their commands of one moment share a request
// (docs/decisions/0025-raw-pg-hot-path.md). Counted at `fetch`, through getSignInDeps() itself;
// tests/integration/sign-in-round-trips.test.ts counts the same at the bridge, command by command.

const who = { ip: '203.0.113.92', userAgent: 'vitest one client' };

describe.skipIf(!process.env.UPSTASH_REDIS_REST_URL)(
  'the wiring on Upstash (needs REDIS_URL): store and limiter on one client',
  () => {
    it('P1 the wired store and rate limiter share one client: the password step reaches Upstash once before the hash', async () => {
      const base = testDeps();
      const upstash = process.env.UPSTASH_REDIS_REST_URL!;
      const realFetch = globalThis.fetch;
      let requests = 0;
      let atCheck = -1;
      globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        const url =
          typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (url.startsWith(upstash)) requests++;
        return realFetch(input, init);
      }) as typeof fetch;
      try {
        const deps = {
          ...base,
          passwords: {
            ...base.passwords,
            check: (password: string, hash: string | null | undefined) => {
              atCheck = requests;
              return base.passwords.check(password, hash);
            },
          },
        };
        const user = await createUser();
        const trusted = await trustedBrowser(deps, user, who);
        const signIn = () => {
          requests = 0;
          return trusted();
        };
        await signIn(); // warm scripts
        expect(await signIn()).toMatchObject({ userId: user.id, method: 'trusted-device' });
        expect(atCheck).toBe(1);
        expect(requests).toBe(2);
      } finally {
        globalThis.fetch = realFetch;
      }
    });
  },
);
