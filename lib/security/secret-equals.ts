import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a secret someone presented (a header's value, or null when absent) is the configured
 * one, in time that does not depend on where they differ. Compared as SHA-256 digests: equal
 * lengths for timingSafeEqual, and the length of the secret is not learnt either. No secret
 * configured matches nothing.
 */
export function secretEquals(presented: string | null, secret: string | undefined): boolean {
  if (!secret || presented === null) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(secret));
}
