import 'server-only';
import { env } from '@/lib/env';
import { getSignInDeps } from '@/lib/auth/sign-in-deps';
import type { ContactChangeDeps } from '@/lib/users/contact-change';

// The real collaborators of the profile's contact change: the sign-in flow's store, senders, code
// key and clock (so codes live and expire exactly like sign-in codes), and the phone region.
export function getContactChangeDeps(): ContactChangeDeps {
  const signIn = getSignInDeps();
  return {
    store: signIn.store,
    senderFor: signIn.senderFor,
    hmacKey: signIn.hmacKey,
    now: signIn.now,
    config: {
      otpTtlSeconds: signIn.config.otpTtlSeconds,
      resendCooldownSeconds: signIn.config.resendCooldownSeconds,
      origin: signIn.config.origin,
      phoneRegion: env.PHONE_DEFAULT_REGION,
      freshCodeWindowMs: env.SENSITIVE_ACTION_WINDOW_MINUTES * 60_000,
    },
  };
}
