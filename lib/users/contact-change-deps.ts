import 'server-only';
import { env } from '@/lib/env';
import { getAccountSecurityDeps } from '@/lib/auth/account-security-deps';
import type { ContactChangeDeps } from '@/lib/users/contact-change';

// The real collaborators of the profile's contact change: those of the other sensitive changes
// (the sign-in flow's store, senders, code key and clock, so codes live and expire exactly like
// sign-in codes, and the fresh-code window), plus the phone region.
export function getContactChangeDeps(): ContactChangeDeps {
  const security = getAccountSecurityDeps();
  return { ...security, config: { ...security.config, phoneRegion: env.PHONE_DEFAULT_REGION } };
}
