import { createHmac, hkdfSync } from 'node:crypto';
import { canonicalUsername } from '@/lib/users/username';

// What the audit log keeps of a username typed at sign-in (or forgot-password) that it cannot
// tie to an account: a keyed hash of its canonical form, never the text. Such a "username" is
// often a password typed into the wrong field. The key comes from AUTH_SECRET, so a copy of the
// table alone cannot be searched by guessing; an admin searching by a name gets its hash from
// the server and finds the events (lib/audit/audit-log.ts). 64 bits tell names apart well enough
// for a search, and say little more. Decision record: docs/decisions/0020-lockout-and-audit-privacy.md.

const PREFIX = 'unknown:';

/** The HMAC key for typed names, derived from AUTH_SECRET and used for nothing else. */
export function deriveTypedNameKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'latchkey', 'audit typed name v1', 32));
}

/** `unknown:` and the first 16 hex digits of HMAC-SHA256(key, canonical name). */
export function typedNameSubject(key: Buffer, typed: string): string {
  const mac = createHmac('sha256', key).update(canonicalUsername(typed)).digest('hex');
  return PREFIX + mac.slice(0, 16);
}

/** The hash part of a subject written by typedNameSubject, or null for anything else. */
export function typedNameHash(subject: string): string | null {
  return /^unknown:[0-9a-f]{16}$/.test(subject) ? subject.slice(PREFIX.length) : null;
}
