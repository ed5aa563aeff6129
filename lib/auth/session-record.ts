import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { db } from '@/lib/db';

// The server-side half of a session. The JWT carries a random session id; the database keeps
// only its SHA-256. Deleting the row ends the session everywhere at the next request (SE-06),
// which a bare JWT could not do.

/** lastSeenAt is written at most this often, so a busy page does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

const digest = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

export async function createSessionRecord(input: {
  userId: string;
  maxAgeSeconds: number;
  ip: string | null;
  userAgent: string | null;
}): Promise<string> {
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

/** The user id of a live session, or null when it was ended, expired or never existed. */
export async function findLiveSession(sessionId: string): Promise<{ userId: string } | null> {
  const row = await db.session.findUnique({
    where: { sessionToken: digest(sessionId) },
    select: { id: true, userId: true, expires: true, lastSeenAt: true, user: { select: { disabled: true } } },
  });
  if (!row || row.expires.getTime() <= Date.now() || row.user.disabled) return null;
  if (Date.now() - row.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.session.update({ where: { id: row.id }, data: { lastSeenAt: new Date() } });
  }
  return { userId: row.userId };
}

export async function endSession(sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { sessionToken: digest(sessionId) } });
}

/** Ends every session of a user at once (disable, admin sign-out, password change: SE-06). */
export async function endAllSessions(userId: string): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { userId } });
  return count;
}
