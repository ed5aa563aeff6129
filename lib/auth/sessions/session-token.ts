import 'server-only';
import { findLiveSession, type SessionClock } from '@/lib/auth/session-record';

// What Auth.js's jwt callback does on every request, kept apart from Auth.js so tests can call it
// with a token of their own: a session JWT stands only while its Session row lives. A deleted row
// (sign-out, sign out everywhere, admin, disable, password change or reset: SE-06), a passed
// `expires` or a long idle (SE-05) refuse it, whatever the JWT's own `exp` says.

type Claims = Record<string, unknown>;

/**
 * The token with `sessionId` (the Session row's id, which marks "This session" and is safe to
 * post back) when its session is live; null otherwise, which makes Auth.js drop the cookie.
 */
export async function checkSessionToken<T extends Claims>(
  token: T,
  clock?: SessionClock,
): Promise<(T & { sessionId: string }) | null> {
  if (typeof token.sid !== 'string' || typeof token.sub !== 'string') return null;
  const live = await findLiveSession(token.sid, clock);
  return live && live.userId === token.sub ? { ...token, sessionId: live.id } : null;
}
