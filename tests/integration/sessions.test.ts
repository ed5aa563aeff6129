import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode } from '@/lib/auth/sign-in-code';
import { readTicket } from '@/lib/auth/login-ticket';
import {
  createSessionRecord,
  endSession,
  findLiveSession,
  TOUCH_INTERVAL_MS,
} from '@/lib/auth/session-record';
import { checkSessionToken } from '@/lib/auth/sessions/session-token';
import {
  countLiveSessions,
  listSessions,
  signOutEverywhere,
  signOutOtherSessions,
  signOutSession,
} from '@/lib/auth/sessions/manage-sessions';
import { updateUser } from '@/lib/admin/update-user';
import { capturingSender, createUser, PASSWORD, testDeps } from '../support/sign-in-fixtures';
import { who } from '../support/account-security-fixtures';

// Server-side sessions behind the Auth.js JWT (docs/decisions/0003-sessions.md): the JWT stands
// only while its Session row lives, the row carries the idle and absolute timeouts, and every way
// of ending a session deletes rows. `checkSessionToken` is exactly what the jwt callback runs.

const MINUTE = 60_000;
const newSession = (userId: string, maxAgeSeconds = 3600) =>
  createSessionRecord({ userId, maxAgeSeconds, ...who });
const rowOf = (sessionId: string) =>
  db.session.findUniqueOrThrow({
    where: { sessionToken: createHash('sha256').update(sessionId).digest('hex') },
  });
const tokenFor = (userId: string, sid: string) => ({ sub: userId, sid, name: null });

describe('SE-01 SE-02 session identifiers', () => {
  it('SE-01 a session id is 256 bits from the CSPRNG, unique, and only its SHA-256 is stored', async () => {
    const user = await createUser();
    const ids = await Promise.all(Array.from({ length: 50 }, () => newSession(user.id)));
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/); // 43 base64url characters = 256 bits
    const rows = await db.session.findMany({
      where: { userId: user.id },
      select: { sessionToken: true },
    });
    expect(rows.map((r) => r.sessionToken).sort()).toEqual(
      ids.map((id) => createHash('sha256').update(id).digest('hex')).sort(),
    );
    expect(rows.some((r) => ids.includes(r.sessionToken))).toBe(false);
  });

  it('SE-02 the password step makes a new ticket id, the code step a new session id: nothing from before is reused', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const first = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    const second = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!first.ok || !second.ok) throw new Error('password step failed');
    expect(first.ticketId).not.toBe(second.ticketId); // each password step, a fresh identifier

    await sendCode(deps, { ticketId: second.ticketId, channel: 'email', ...who });
    expect(
      await submitCode(deps, { ticketId: second.ticketId, code: sender.last().code!, ...who }),
    ).toEqual({ ok: true, next: 'session' });
    const done = await completeSignIn(deps, { ticketId: second.ticketId, ...who });
    expect(done).toMatchObject({ userId: user.id });
    // What the jwt callback does next: a new random session id, unrelated to the ticket.
    const sid = await newSession(user.id);
    expect([first.ticketId, second.ticketId]).not.toContain(sid);
    // The ticket is spent: it neither resolves nor yields a second session.
    expect(await readTicket(deps.store, second.ticketId, Date.now())).toBeNull();
    expect(await completeSignIn(deps, { ticketId: second.ticketId, ...who })).toBeNull();
  });
});

describe('SE-05 idle and absolute timeouts on the server', () => {
  const idleMs = 30 * MINUTE;

  it('SE-05 a session unused for longer than the idle limit is refused and its row deleted; used within it, it lives', async () => {
    const user = await createUser();
    const sid = await newSession(user.id, 12 * 3600);
    const start = (await rowOf(sid)).lastSeenAt.getTime();
    expect(await findLiveSession(sid, { now: start + idleMs - MINUTE, idleMs })).not.toBeNull();
    // That request counted as activity: the idle clock restarted.
    expect(
      await findLiveSession(sid, { now: start + 2 * idleMs - 2 * MINUTE, idleMs }),
    ).not.toBeNull();
    expect(await findLiveSession(sid, { now: start + 3 * idleMs, idleMs })).toBeNull();
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it('SE-05 lastSeenAt is written at most once a minute, so the idle check has one-minute resolution', async () => {
    const user = await createUser();
    const sid = await newSession(user.id);
    const start = (await rowOf(sid)).lastSeenAt.getTime();
    await findLiveSession(sid, { now: start + TOUCH_INTERVAL_MS - 1000, idleMs });
    expect((await rowOf(sid)).lastSeenAt.getTime()).toBe(start);
    await findLiveSession(sid, { now: start + TOUCH_INTERVAL_MS + 1000, idleMs });
    expect((await rowOf(sid)).lastSeenAt.getTime()).toBe(start + TOUCH_INTERVAL_MS + 1000);
  });

  it('SE-05 an active session still ends at its absolute limit', async () => {
    const user = await createUser();
    const sid = await newSession(user.id, 3600);
    const { expires } = await rowOf(sid);
    let now = Date.now();
    while (now + 10 * MINUTE < expires.getTime()) {
      now += 10 * MINUTE; // a request every 10 minutes: never idle
      expect(await findLiveSession(sid, { now, idleMs })).not.toBeNull();
    }
    expect(await findLiveSession(sid, { now: expires.getTime() + 1, idleMs })).toBeNull();
  });

  it('SE-05 the sessions list leaves out idle and expired sessions', async () => {
    const user = await createUser();
    const live = await newSession(user.id);
    const idle = await newSession(user.id);
    await db.session.update({
      where: { id: (await rowOf(idle)).id },
      data: { lastSeenAt: new Date(Date.now() - idleMs - MINUTE) },
    });
    const expired = await newSession(user.id);
    await db.session.update({
      where: { id: (await rowOf(expired)).id },
      data: { expires: new Date(Date.now() - 1000) },
    });
    const listed = await listSessions(user.id, null, { idleMs });
    expect(listed.map((s) => s.id)).toEqual([(await rowOf(live)).id]);
    expect(await countLiveSessions(user.id, { idleMs })).toBe(1);
  });
});

describe('SE-06 ending sessions on the server', () => {
  it('SE-06 a JWT whose Session row was deleted is refused (logout)', async () => {
    const user = await createUser();
    const sid = await newSession(user.id);
    const token = tokenFor(user.id, sid);
    const checked = await checkSessionToken(token);
    expect(checked).toMatchObject({ sub: user.id, sid, sessionId: (await rowOf(sid)).id });
    await endSession(sid);
    expect(await checkSessionToken(token)).toBeNull();
  });

  it('SE-06 a JWT without a session id, with another user’s, or with an invented one is refused', async () => {
    const [user, other] = [await createUser(), await createUser()];
    const sid = await newSession(user.id);
    expect(await checkSessionToken({ sub: user.id })).toBeNull();
    expect(await checkSessionToken(tokenFor(other.id, sid))).toBeNull();
    expect(await checkSessionToken(tokenFor(user.id, 'A'.repeat(43)))).toBeNull();
  });

  it('SE-06 disabling the account refuses its JWTs at once', async () => {
    const user = await createUser();
    const admin = await db.user.update({
      where: { id: (await createUser()).id },
      data: { role: 'admin' },
    });
    const token = tokenFor(user.id, await newSession(user.id));
    const input = {
      username: user.username,
      name: user.name,
      email: user.email,
      phone: user.phone,
      role: user.role,
      twoFactor: user.twoFactor,
      disabled: true,
    };
    await updateUser(
      user.id,
      input,
      { id: admin.id, ...who },
      {
        senderFor: () => capturingSender(),
        origin: 'https://login.example.test',
        now: () => new Date(),
      },
    );
    expect(await checkSessionToken(token)).toBeNull();
  });

  it('SE-06 an admin signs a user out everywhere: every JWT of theirs is refused, and it is audited', async () => {
    const user = await createUser();
    const tokens = [
      tokenFor(user.id, await newSession(user.id)),
      tokenFor(user.id, await newSession(user.id)),
    ];
    expect(await signOutEverywhere({ userId: user.id, actorId: 'admin-id', ...who })).toBe(2);
    for (const token of tokens) expect(await checkSessionToken(token)).toBeNull();
    const event = await db.auditEvent.findFirst({
      where: { userId: user.id, type: 'sessions.revoked' },
    });
    expect(event?.detail).toEqual({ reason: 'admin', count: 2, actorId: 'admin-id' });
  });

  it('SE-06 sign out everywhere else ends every other session and keeps this one', async () => {
    const user = await createUser();
    const here = await newSession(user.id);
    const elsewhere = [await newSession(user.id), await newSession(user.id)];
    const currentId = (await rowOf(here)).id;
    expect(await signOutOtherSessions({ userId: user.id, currentId, ...who })).toBe(2);
    expect(await checkSessionToken(tokenFor(user.id, here))).not.toBeNull();
    for (const sid of elsewhere) expect(await checkSessionToken(tokenFor(user.id, sid))).toBeNull();
  });

  it('SE-06 a person signs out one of their own sessions, never someone else’s', async () => {
    const [user, other] = [await createUser(), await createUser()];
    const mine = await newSession(user.id);
    const theirs = await newSession(other.id);
    const theirsId = (await rowOf(theirs)).id;
    expect(
      await signOutSession({ userId: user.id, sessionId: theirsId, currentId: null, ...who }),
    ).toEqual({ ok: false, reason: 'not-found' });
    expect(await checkSessionToken(tokenFor(other.id, theirs))).not.toBeNull();
    const mineId = (await rowOf(mine)).id;
    expect(
      await signOutSession({
        userId: user.id,
        sessionId: mineId,
        currentId: 'another-row',
        ...who,
      }),
    ).toEqual({ ok: true, wasCurrent: false });
    expect(await checkSessionToken(tokenFor(user.id, mine))).toBeNull();
  });

  it('the sessions list shows browser, OS, IP and times, marks this session first, and never the stored hash', async () => {
    const user = await createUser();
    const older = await newSession(user.id);
    const current = await newSession(user.id);
    const currentId = (await rowOf(current)).id;
    const listed = await listSessions(user.id, currentId);
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({
      id: currentId,
      isCurrent: true,
      browser: 'Chrome',
      os: 'Linux',
      ip: who.ip,
    });
    expect(listed[1]).toMatchObject({ id: (await rowOf(older)).id, isCurrent: false });
    expect(Object.keys(listed[0]!).sort()).toEqual([
      'browser',
      'createdAt',
      'expires',
      'id',
      'ip',
      'isCurrent',
      'lastSeenAt',
      'os',
    ]);
  });
});
