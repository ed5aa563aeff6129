import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { recordEvent, typedUsernameSubject } from '@/lib/audit/record-event';
import {
  auditCsvLines,
  describeTypedName,
  listAuditEvents,
  parseAuditQuery,
  type AuditFilter,
} from '@/lib/audit/audit-log';
import { createSessionRecord, endSession } from '@/lib/auth/session-record';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { sendCode, submitCode } from '@/lib/auth/sign-in-code';
import { nameDevice } from '@/lib/auth/sign-in-device';
import { requestPasswordReset } from '@/lib/auth/password-reset';
import { capturingSender, createUser, PASSWORD, testDeps } from '../support/sign-in-fixtures';
import { securitySetup } from '../support/account-security-fixtures';

const who = {
  ip: '198.51.100.23',
  userAgent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
};
const noFilter: AuditFilter = { username: '', type: '', from: null, to: null };

/** Everything a row says, except its own id and time (which could hold any digits by chance). */
const rowText = (
  rows: {
    type: string;
    subject: string | null;
    ip: string | null;
    userAgent: string | null;
    detail: unknown;
  }[],
) => rows.map((r) => JSON.stringify([r.type, r.subject, r.ip, r.userAgent, r.detail])).join('\n');

/** `secret` as a whole token: a 6-digit code must not count inside a longer run of digits. */
const containsToken = (text: string, secret: string) =>
  new RegExp(`(?<![\\w-])${secret.replace(/[^\w]/g, '\\$&')}(?![\\w-])`).test(text);

describe('RC-06 the audit log records the sign-in, and no secret', () => {
  it('RC-06 a whole sign-in (wrong password, wrong code, code, trusted device, session, trusted re-sign-in) leaves no password, code, ticket id, session id or device token in any audit row', async () => {
    const sender = capturingSender();
    const deps = testDeps({ sender });
    const user = await createUser();
    const wrongPassword = `wrong-${randomUUID()}`;
    const since = new Date(Date.now() - 1000);

    expect(
      await submitPassword(deps, { username: user.username, password: wrongPassword, ...who }),
    ).toEqual({ ok: false, reason: 'invalid' });
    const started = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      ...who,
    });
    if (!started.ok) throw new Error('password step failed');
    expect(
      (await sendCode(deps, { ticketId: started.ticketId, channel: 'email', ...who })).ok,
    ).toBe(true);
    const code = sender.last().code!;
    const wrongCode = code === '271828' ? '314159' : '271828';
    expect(
      await submitCode(deps, { ticketId: started.ticketId, code: wrongCode, ...who }),
    ).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(
      await submitCode(deps, { ticketId: started.ticketId, code, trust: true, ...who }),
    ).toEqual({ ok: true, next: 'device-name' });
    const named = await nameDevice(deps, {
      ticketId: started.ticketId,
      name: 'Audit laptop',
      ...who,
    });
    if (!named.ok) throw new Error('naming failed');
    expect(await completeSignIn(deps, { ticketId: started.ticketId, ...who })).toMatchObject({
      userId: user.id,
    });
    // What lib/auth/auth.ts does with a completed sign-in: a random session id inside the JWT.
    const sessionId = await createSessionRecord({ userId: user.id, maxAgeSeconds: 3600, ...who });
    await endSession(sessionId);

    const again = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      deviceToken: named.device.token,
      ...who,
    });
    if (!again.ok || !again.device)
      throw new Error('the trusted browser should have skipped the code');
    expect(await completeSignIn(deps, { ticketId: again.ticketId, ...who })).toMatchObject({
      method: 'trusted-device',
    });

    const rows = await db.auditEvent.findMany({
      where: { userId: user.id, createdAt: { gte: since } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const types = rows.map((r) => r.type);
    for (const expected of [
      'signin.password_failed',
      'signin.password_ok',
      'code.sent',
      'code.rejected',
      'device.trusted',
      'signin.succeeded',
    ])
      expect(types, `the flow records ${expected}`).toContain(expected);

    const text = rowText(rows);
    const secrets = {
      password: PASSWORD,
      wrongPassword,
      code,
      wrongCode,
      ticket: started.ticketId,
      secondTicket: again.ticketId,
      sessionId,
      deviceToken: named.device.token,
      rotatedDeviceToken: again.device.token,
    };
    for (const [name, secret] of Object.entries(secrets))
      expect(containsToken(text, secret), `${name} must not be in the audit log`).toBe(false);
  });

  it('RC-06 a username that matches no account is stored only as a keyed hash: no column of any row holds the typed text, and the search by that name (any case) still finds the events', async () => {
    const deps = testDeps();
    // What a person types into the username field by mistake: their password.
    const typed = `Tr0ub4dor&3-${randomUUID().slice(0, 8)}`;
    const since = new Date(Date.now() - 1000);
    for (let i = 0; i < 5; i++)
      expect(
        await submitPassword(deps, { username: typed, password: `wrong-${i}`, ...who }),
      ).toEqual({ ok: false, reason: 'invalid' });
    await requestPasswordReset(securitySetup().deps, { identifier: typed, ...who });
    // A NUL byte, which PostgreSQL text cannot hold, costs the hash nothing (NUL in details is
    // replaced, as before).
    await recordEvent({
      type: 'signin.password_failed',
      typedUsername: `${typed}\u0000x`,
      ...who,
      detail: { reason: 'unknown-user', note: 'a\u0000b' },
    });
    expect(
      await db.auditEvent.findFirstOrThrow({
        where: { subject: typedUsernameSubject(`${typed}\u0000x`) },
        select: { detail: true },
      }),
    ).toEqual({ detail: { reason: 'unknown-user', note: 'a\uFFFDb' } });

    const fragment = typed.slice(0, 12).toLowerCase();
    const [row] = await db.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM "AuditEvent"
      WHERE "createdAt" >= ${since} AND lower(concat_ws(' ', subject, ip, "userAgent", detail::text)) LIKE ${'%' + fragment + '%'}`;
    expect(row?.count).toBe(0n);

    const subject = typedUsernameSubject(typed);
    expect(subject).toMatch(/^unknown:[0-9a-f]{16}$/);
    const found = await listAuditEvents({ ...noFilter, username: typed.toUpperCase() }, 1);
    expect(found.events.map((e) => e.type).sort()).toEqual([
      'password.reset_requested',
      'signin.locked',
      ...Array.from({ length: 5 }, () => 'signin.password_failed'),
    ]);
    expect(new Set(found.events.map((e) => e.subject))).toEqual(new Set([subject]));
    // The page names the event by the name searched for, and otherwise by its hash alone.
    expect(describeTypedName(subject, { ...noFilter, username: typed.toUpperCase() })).toBe(
      `typed: ${typed.toUpperCase()} (matched by its hash)`,
    );
    expect(describeTypedName(subject, noFilter)).toBe(`typed name, hash ${subject.slice(8)}`);
    // The hash as shown finds the events too, and the export carries only the hash.
    expect((await listAuditEvents({ ...noFilter, username: subject }, 1)).total).toBe(7);
    const lines: string[] = [];
    for await (const line of auditCsvLines({ ...noFilter, username: typed })) lines.push(line);
    expect(lines).toHaveLength(8);
    expect(lines.join('').toLowerCase()).not.toContain(fragment);
  });
});

describe('audit log page queries', () => {
  it('filters by username (including failed sign-ins typed with that name, in any case), by event and by time, newest first, with paging', async () => {
    const user = await createUser();
    const base = Date.UTC(2031, 0, 15, 12, 0);
    const at = (minutes: number) => new Date(base + minutes * 60_000);
    await db.auditEvent.createMany({
      data: [
        { type: 'signin.password_ok', userId: user.id, createdAt: at(0) },
        { type: 'code.sent', userId: user.id, createdAt: at(1) },
        { type: 'signin.succeeded', userId: user.id, createdAt: at(2) },
        {
          type: 'signin.password_failed',
          subject: typedUsernameSubject(user.username.toUpperCase()),
          createdAt: at(3),
        },
        { type: 'signin.succeeded', subject: 'someone-else', createdAt: at(4) },
      ],
    });
    const inWindow = { from: at(0), to: at(10) };

    const mine = await listAuditEvents({ ...noFilter, ...inWindow, username: user.username }, 1);
    expect(mine.events.map((e) => e.type)).toEqual([
      'signin.password_failed',
      'signin.succeeded',
      'code.sent',
      'signin.password_ok',
    ]);
    expect(mine.events[1]!.user?.username).toBe(user.username);

    const succeeded = await listAuditEvents(
      { ...noFilter, ...inWindow, username: user.username, type: 'signin.succeeded' },
      1,
    );
    expect(succeeded.total).toBe(1);

    const window = parseAuditQuery({
      user: user.username,
      from: '2031-01-15T12:01',
      to: '2031-01-15T12:02',
    }).filter;
    expect((await listAuditEvents(window, 1)).events.map((e) => e.type)).toEqual([
      'signin.succeeded',
      'code.sent',
    ]);

    const paged = await listAuditEvents(
      { ...noFilter, ...inWindow, username: user.username },
      2,
      3,
    );
    expect(paged).toMatchObject({ total: 4, page: 2, pageCount: 2 });
    expect(paged.events.map((e) => e.type)).toEqual(['signin.password_ok']);
    expect(
      (await listAuditEvents({ ...noFilter, ...inWindow, username: user.username }, 99, 3)).page,
    ).toBe(2);
  });

  it('reads malformed query strings as "no filter" and says which time was not understood', () => {
    const parsed = parseAuditQuery({
      user: '  ann ',
      type: "x'; DROP TABLE",
      from: '2031-02-31T10:00',
      to: 'yesterday',
      page: '-4',
    });
    expect(parsed.filter).toEqual({ username: 'ann', type: '', from: null, to: null });
    expect(parsed.page).toBe(1);
    expect(Object.keys(parsed.errors).sort()).toEqual(['from', 'to']);
    expect(parseAuditQuery({ to: '2031-01-15T12:02' }).filter.to).toEqual(
      new Date(Date.UTC(2031, 0, 15, 12, 3)),
    );
  });

  it('CSV-04 the export escapes formulas in typed usernames (rows from before they were hashed), user agents and details, and stops at its row cap', async () => {
    const typed = `=HYPERLINK("http://evil.example","${randomUUID().slice(0, 6)}")`;
    const createdAt = new Date(Date.UTC(2032, 5, 1));
    await db.auditEvent.createMany({
      data: [
        {
          type: 'signin.password_failed',
          subject: typed,
          ip: '203.0.113.9',
          userAgent: '@SUM(1+1)',
          detail: { reason: 'unknown-user' },
          createdAt,
        },
        {
          type: 'signin.password_failed',
          subject: typed,
          userAgent: '-2+3',
          createdAt: new Date(createdAt.getTime() - 1000),
        },
      ],
    });
    const filter = { ...noFilter, username: typed };
    const lines: string[] = [];
    for await (const line of auditCsvLines(filter)) lines.push(line);
    expect(lines[0]).toBe('time_utc,event,username,typed_username_hash,ip,user_agent,details\r\n');
    expect(lines[1]).toBe(
      `2032-06-01T00:00:00.000Z,signin.password_failed,,"'${typed.replace(/"/g, '""')}",203.0.113.9,'@SUM(1+1),"{""reason"":""unknown-user""}"\r\n`,
    );
    expect(lines[2]).toContain(",'-2+3,");
    expect(lines).toHaveLength(3);

    const capped: string[] = [];
    for await (const line of auditCsvLines(filter, 1)) capped.push(line);
    expect(capped).toHaveLength(3);
    expect(capped[2]).toContain('Stopped after 1 rows');
  });
});
