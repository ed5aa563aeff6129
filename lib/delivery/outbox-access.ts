import { secretEquals } from '@/lib/security/secret-equals';

// Who may read the outbox (/dev/outbox and /api/dev/outbox). Every code, reset link and
// invitation of the deployment is there, so outside development it is an administrator's or a
// test suite's tool, never a page for whoever finds the URL (decision 0018).

export type OutboxGuard =
  /** OUTBOX_ENABLED off: messages really leave, there is nothing to read. */
  | { mode: 'off' }
  /** Development and tests (`npm run dev`, Vitest): the machine's own user reads it, no setting. */
  | { mode: 'open' }
  /** Production mode (`next start`: a preview, the e2e suite): a signed-in admin or the token. */
  | { mode: 'guarded'; token: string | undefined };

/** The header a test suite (or `curl`) sends the outbox token in. */
export const OUTBOX_TOKEN_HEADER = 'x-outbox-token';

export function outboxGuard(config: {
  enabled: boolean;
  nodeEnv: string;
  token: string | undefined;
}): OutboxGuard {
  if (!config.enabled) return { mode: 'off' };
  if (config.nodeEnv !== 'production') return { mode: 'open' };
  // lib/env.ts refuses a production start with the outbox and no token; were it missing all the
  // same, only admins would get in.
  return { mode: 'guarded', token: config.token };
}

/**
 * Whether this request may read the outbox. `isAdmin` is asked only when the token did not
 * open it, so a suite's request costs no session lookup.
 */
export async function mayReadOutbox(
  guard: OutboxGuard,
  headers: Headers,
  isAdmin: () => Promise<boolean>,
): Promise<boolean> {
  switch (guard.mode) {
    case 'off':
      return false;
    case 'open':
      return true;
    case 'guarded':
      return secretEquals(headers.get(OUTBOX_TOKEN_HEADER), guard.token) || (await isAdmin());
  }
}
