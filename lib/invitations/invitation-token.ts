import { createHash, randomBytes } from 'node:crypto';

// Invitation tokens (RC-02): 256 random bits in the link, only their SHA-256 in the database, so
// a copy of the database opens no account.

export const newInvitationToken = () => randomBytes(32).toString('base64url');
export const invitationTokenHash = (token: string) =>
  createHash('sha256').update(token).digest('hex');
export const isWellFormedInvitationToken = (token: unknown): token is string =>
  typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);

/** The set-password link, always on the configured origin, never the request's Host (RC-02). */
export function invitationLink(origin: string, token: string): string {
  return new URL(`/invite/${token}`, origin).toString();
}
