import 'server-only';
import { db } from '@/lib/db';
import { recordEvent } from '@/lib/audit/record-event';
import {
  endAllSessions,
  endOtherSessions,
  liveSessionWhere,
  type SessionClock,
} from '@/lib/auth/session-record';
import { describeUserAgent } from '@/lib/devices/describe-user-agent';

// What a person (or an admin) sees and does with sign-in sessions: the list on /account/sessions,
// sign out one, sign out everywhere else, and an admin's sign out everywhere. Ending a session is
// deleting its row, which the next request of that browser finds missing (SE-06).

type RequestInfo = { ip: string | null; userAgent: string | null };

export type SessionView = {
  /** The Session row id: posted back to sign one out; never the secret in the JWT. */
  id: string;
  browser: string | null;
  os: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expires: Date;
  isCurrent: boolean;
};

/** The user's live sessions (not expired, not idle), this one first, then by last activity. */
export async function listSessions(
  userId: string,
  currentId: string | null,
  clock: SessionClock = {},
): Promise<SessionView[]> {
  // Named columns: the hash of the session id stays in the database.
  const rows = await db.session.findMany({
    where: liveSessionWhere(userId, clock),
    orderBy: [{ lastSeenAt: 'desc' }, { createdAt: 'desc' }],
    select: {
      id: true,
      ip: true,
      userAgent: true,
      createdAt: true,
      lastSeenAt: true,
      expires: true,
    },
  });
  const views = rows.map(({ userAgent, ...row }) => {
    const { browser, os } = describeUserAgent(userAgent);
    return { ...row, browser, os, isCurrent: row.id === currentId };
  });
  return [...views.filter((v) => v.isCurrent), ...views.filter((v) => !v.isCurrent)];
}

export type SignOutSessionResult =
  { ok: true; wasCurrent: boolean } | { ok: false; reason: 'not-found' };

/** Ends one of the user's own sessions; not-found for anyone else's (or one already ended). */
export async function signOutSession(
  input: { userId: string; sessionId: string; currentId: string | null } & RequestInfo,
): Promise<SignOutSessionResult> {
  const { count } = await db.session.deleteMany({
    where: { id: input.sessionId, userId: input.userId },
  });
  if (count !== 1) return { ok: false, reason: 'not-found' };
  await recordEvent({
    type: 'sessions.revoked',
    userId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { reason: 'signed-out-one', count, sessionId: input.sessionId, actorId: input.userId },
  });
  return { ok: true, wasCurrent: input.sessionId === input.currentId };
}

/** "Sign out everywhere else": every session of the user but this browser's. */
export async function signOutOtherSessions(
  input: { userId: string; currentId: string | null } & RequestInfo,
): Promise<number> {
  const count = await endOtherSessions(input.userId, input.currentId);
  await recordEvent({
    type: 'sessions.revoked',
    userId: input.userId,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { reason: 'signed-out-elsewhere', count, actorId: input.userId },
  });
  return count;
}

/** An admin signs a user out everywhere. Trusted devices stay: their next sign-in still needs the password. */
export async function signOutEverywhere(
  input: { userId: string; actorId: string } & Partial<RequestInfo>,
): Promise<number> {
  const count = await endAllSessions(input.userId);
  await recordEvent({
    type: 'sessions.revoked',
    userId: input.userId,
    ip: input.ip ?? null,
    userAgent: input.userAgent ?? null,
    detail: { reason: 'admin', count, actorId: input.actorId },
  });
  return count;
}

/** How many live sessions a user has (the admin's user page). */
export async function countLiveSessions(userId: string, clock: SessionClock = {}): Promise<number> {
  return db.session.count({ where: liveSessionWhere(userId, clock) });
}
