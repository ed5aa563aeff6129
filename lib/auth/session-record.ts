import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { env } from '@/lib/env';

// The server-side half of a session. The JWT carries a random session id; the database keeps
// only its SHA-256. Deleting the row ends the session everywhere at the next request (SE-06),
// which a bare JWT could not do. The row also carries both timeouts (SE-05): `expires` is the
// absolute end, `lastSeenAt` the idle clock.

/**
 * lastSeenAt is written at most this often, so a busy page does not write on every request. It
 * is also the idle timeout's resolution: a session may live up to one minute past its idle limit.
 */
export const TOUCH_INTERVAL_MS = 60_000;

const digest = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

export type SessionClock = { now?: number; idleMs?: number };
const idleLimitMs = () => env.SESSION_IDLE_MINUTES * 60_000;

export async function createSessionRecord(input: {
  userId: string;
  maxAgeSeconds: number;
  ip: string | null;
  userAgent: string | null;
}): Promise<string> {
  // 256 bits from the CSPRNG, made after the code step: nothing from before sign-in is reused (SE-01, SE-02).
  const sessionId = randomBytes(32).toString('base64url');
  await db.session.create({
    data: {
      sessionToken: digest(sessionId),
      userId: input.userId,
      expires: new Date(Date.now() + input.maxAgeSeconds * 1000),
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 500) ?? null,
    },
  });
  return sessionId;
}

/**
 * The live session behind a session id: its row id (safe to show and to post back, unlike the
 * session id) and user, or null when it was ended, expired, went idle or never existed. A row
 * found dead is deleted, so it no longer shows on the sessions page either.
 */
export async function findLiveSession(sessionId: string, clock: SessionClock = {}): Promise<{ id: string; userId: string } | null> {
  const now = clock.now ?? Date.now();
  const row = await db.session.findUnique({
    where: { sessionToken: digest(sessionId) },
    select: { id: true, userId: true, expires: true, lastSeenAt: true, user: { select: { disabled: true } } },
  });
  if (!row) return null;
  const expired = row.expires.getTime() <= now;
  const idle = now - row.lastSeenAt.getTime() > (clock.idleMs ?? idleLimitMs());
  if (expired || idle || row.user.disabled) {
    await db.session.deleteMany({ where: { id: row.id } });
    return null;
  }
  if (now - row.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.session.update({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
  }
  return { id: row.id, userId: row.userId };
}

/** Where a live session must have been seen since, for queries that list or count sessions. */
export function liveSessionWhere(userId: string, clock: SessionClock = {}) {
  const now = clock.now ?? Date.now();
  return { userId, expires: { gt: new Date(now) }, lastSeenAt: { gte: new Date(now - (clock.idleMs ?? idleLimitMs())) } };
}

export async function endSession(sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { sessionToken: digest(sessionId) } });
}

/** Ends every session of a user at once (disable, admin sign-out, password reset: SE-06). */
export async function endAllSessions(userId: string): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { userId } });
  return count;
}

/** Ends every session of a user but one (sign out everywhere else, password change: PW-09). */
export async function endOtherSessions(userId: string, keepRecordId: string | null): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { userId, ...(keepRecordId ? { id: { not: keepRecordId } } : {}) } });
  return count;
}
