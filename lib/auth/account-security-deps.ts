import 'server-only';
import { after } from 'next/server';
import { redirect } from 'next/navigation';
import { env } from '@/lib/env';
import { getSignInDeps } from '@/lib/auth/sign-in-deps';
import { getFreshCodeUntil, type FreshCodeDeps } from '@/lib/auth/fresh-code';
import type { PasswordResetDeps } from '@/lib/auth/password-reset';

// The real collaborators of the fresh code, password change and password reset: the sign-in
// flow's store, senders, code key and clock (so these codes live and expire like sign-in codes),
// and the windows from configuration.

export type AccountSecurityDeps = FreshCodeDeps &
  PasswordResetDeps & { config: FreshCodeDeps['config'] & PasswordResetDeps['config'] };

export function getAccountSecurityDeps(): AccountSecurityDeps {
  const signIn = getSignInDeps();
  return {
    store: signIn.store,
    senderFor: signIn.senderFor,
    hmacKey: signIn.hmacKey,
    now: signIn.now,
    // After the response: a reset email for a real account must not make the answer slower (RC-01).
    defer: (task) =>
      after(() =>
        task().catch((error) => console.error('password reset: deferred email failed', error)),
      ),
    config: {
      otpTtlSeconds: signIn.config.otpTtlSeconds,
      resendCooldownSeconds: signIn.config.resendCooldownSeconds,
      origin: env.APP_ORIGIN,
      freshCodeWindowMs: env.SENSITIVE_ACTION_WINDOW_MINUTES * 60_000,
      resetTtlMs: env.PASSWORD_RESET_TTL_MINUTES * 60_000,
    },
  };
}

/**
 * For actions that make a sensitive change (SE-07, TD-10): unless a code was entered within
 * SENSITIVE_ACTION_WINDOW_MINUTES, back to `page`, which then offers to send one.
 */
export async function requireFreshCode(userId: string, page: string): Promise<void> {
  if ((await getFreshCodeUntil(getAccountSecurityDeps(), userId)) === null)
    redirect(`${page}?fresh=required`);
}
