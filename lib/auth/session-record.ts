import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { db } from '@/lib/db';
import { queryRows } from '@/lib/db-pool';
import { env } from '@/lib/env';
import { auditRow, type AuditEventInput } from '@/lib/audit/record-event';

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

/** A session just started: its random id, and whether the user's email codes were blocked. */
export type StartedSession = { sessionId: string; emailCodesBlocked: boolean };

/** An audit event with the moment it happened, written later in one statement with others. */
export type TimedAuditEvent = AuditEventInput & { at: Date };

let rowSequence = 0;
/**
 * A row id in cuid's shape (`c`, time, counter, randomness) for rows written by raw SQL, where
 * Prisma's own `@default(cuid())` does not run. Ids made in one process sort by creation.
 */
function newRowId(): string {
  rowSequence = (rowSequence + 1) % 36 ** 4;
  return `c${Date.now().toString(36).padStart(9, '0')}${rowSequence.toString(36).padStart(4, '0')}${randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0').slice(0, 12)}`;
}

// Raw `pg`, like the other statements every sign-in runs (decision 0025). $1 the moment, $2 the
// user, $3 the session row's id, $4 the session id's digest, $5 its expiry, $6 address, $7 user
// agent, $8 the audit events as JSON.
const START_SIGN_IN_SESSION = `
  WITH u AS (
    UPDATE "User" SET "lastSignInAt" = ($1::timestamptz AT TIME ZONE 'UTC'), "updatedAt" = ($1::timestamptz AT TIME ZONE 'UTC')
    WHERE id = $2 AND NOT disabled
    RETURNING id, "emailCodesBlocked"
  ), s AS (
    INSERT INTO "Session" (id, "sessionToken", "userId", expires, "createdAt", "lastSeenAt", ip, "userAgent")
    SELECT $3::text, $4::text, u.id, ($5::timestamptz AT TIME ZONE 'UTC'),
           ($1::timestamptz AT TIME ZONE 'UTC'), ($1::timestamptz AT TIME ZONE 'UTC'), $6::text, $7::text
    FROM u
    RETURNING id
  ), a AS (
    INSERT INTO "AuditEvent" (id, type, "userId", subject, ip, "userAgent", detail, "createdAt")
    SELECT e.id, e.type, u.id, e.subject, e.ip, e."userAgent", e.detail, (e.at AT TIME ZONE 'UTC')
    FROM u, jsonb_to_recordset($8::jsonb) AS e(id text, type text, subject text, ip text, "userAgent" text, detail jsonb, at timestamptz)
    RETURNING id
  )
  SELECT s.id, u."emailCodesBlocked" FROM s, u`;

/**
 * The end of a proven sign-in in ONE statement: the user's lastSignInAt, the sign-in's audit
 * events (RC-06) and the session row (SE-06), all or nothing, and only while the user exists and
 * is not disabled. Returns the new random session id (SE-01, SE-02) with the user's
 * `emailCodesBlocked` as the statement found it (so the caller needs no read of the user before),
 * or null when there was no such user. A data-modifying CTE runs to completion whether or not the
 * outer query reads it.
 */
export async function startSignInSession(input: {
  userId: string;
  maxAgeSeconds: number;
  ip: string | null;
  userAgent: string | null;
  at: Date;
  events: TimedAuditEvent[];
}): Promise<StartedSession | null> {
  const sessionId = randomBytes(32).toString('base64url');
  const at = input.at.toISOString();
  const expires = new Date(input.at.getTime() + input.maxAgeSeconds * 1000).toISOString();
  const events = JSON.stringify(
    input.events.map((event) => {
      // Every event is the signing-in user's: the statement takes the id from the user row.
      const row = auditRow(event);
      return {
        id: newRowId(),
        type: row.type,
        subject: row.subject,
        ip: row.ip,
        userAgent: row.userAgent,
        detail: row.detail,
        at: event.at.toISOString(),
      };
    }),
  );
  const rows = await queryRows<{ id: string; emailCodesBlocked: boolean }>(START_SIGN_IN_SESSION, [
    at,
    input.userId,
    newRowId(),
    digest(sessionId),
    expires,
    input.ip,
    input.userAgent?.slice(0, 500) ?? null,
    events,
  ]);
  return rows.length === 1 ? { sessionId, emailCodesBlocked: rows[0]!.emailCodesBlocked } : null;
}

// Every signed-in request reads its session (Auth.js's jwt callback): one `pg` statement with the
// user's flag (decision 0025). The rare writes below (a dead row, a touch a minute) stay on Prisma.
const LIVE_SESSION = `
  SELECT s.id, s."userId", (s.expires AT TIME ZONE 'UTC') AS expires,
         (s."lastSeenAt" AT TIME ZONE 'UTC') AS "lastSeenAt", u.disabled
  FROM "Session" s JOIN "User" u ON u.id = s."userId"
  WHERE s."sessionToken" = $1`;

/**
 * The live session behind a session id: its row id (safe to show and to post back, unlike the
 * session id) and user, or null when it was ended, expired, went idle or never existed. A row
 * found dead is deleted, so it no longer shows on the sessions page either.
 */
export async function findLiveSession(
  sessionId: string,
  clock: SessionClock = {},
): Promise<{ id: string; userId: string } | null> {
  const now = clock.now ?? Date.now();
  const [row] = await queryRows<{
    id: string;
    userId: string;
    expires: Date;
    lastSeenAt: Date;
    disabled: boolean;
  }>(LIVE_SESSION, [digest(sessionId)]);
  if (!row) return null;
  const expired = row.expires.getTime() <= now;
  const idle = now - row.lastSeenAt.getTime() > (clock.idleMs ?? idleLimitMs());
  if (expired || idle || row.disabled) {
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
  return {
    userId,
    expires: { gt: new Date(now) },
    lastSeenAt: { gte: new Date(now - (clock.idleMs ?? idleLimitMs())) },
  };
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
export async function endOtherSessions(
  userId: string,
  keepRecordId: string | null,
): Promise<number> {
  const { count } = await db.session.deleteMany({
    where: { userId, ...(keepRecordId ? { id: { not: keepRecordId } } : {}) },
  });
  return count;
}
