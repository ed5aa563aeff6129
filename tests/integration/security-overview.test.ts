import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { getSecurityOverview, overviewQuery } from '@/lib/admin/security-overview';
import { auditQueryString, listAuditEvents, parseAuditQuery } from '@/lib/audit/audit-log';

// The admin's security overview against a real PostgreSQL: each test owns days no other test
// writes (years long past), so parallel test files cannot change its counts.

type Seed = { type: string; at: string; channel?: string | null };
async function seed(events: Seed[]) {
  await db.auditEvent.createMany({
    data: events.map((e) => ({
      id: `overview-${randomUUID()}`,
      type: e.type,
      createdAt: new Date(e.at),
      ...(e.channel === undefined
        ? {}
        : { detail: e.channel === null ? {} : { channel: e.channel } }),
    })),
  });
}

describe('the security overview query', () => {
  it('counts each kind of event per UTC day over 30 days, with days without events as zeros', async () => {
    await seed([
      // Just outside the window on both sides: not counted.
      { type: 'signin.succeeded', at: '2011-02-17T23:59:59.999Z' },
      { type: 'signin.succeeded', at: '2011-03-20T00:00:00.000Z' },
      // First and last instants of the window.
      { type: 'signin.succeeded', at: '2011-02-18T00:00:00.000Z' },
      { type: 'signin.succeeded', at: '2011-03-19T23:59:59.999Z' },
      { type: 'signin.succeeded', at: '2011-03-19T12:00:00.000Z' },
      { type: 'signin.password_failed', at: '2011-03-01T10:00:00Z' },
      { type: 'signin.password_failed', at: '2011-03-01T11:00:00Z' },
      { type: 'code.rejected', at: '2011-03-02T10:00:00Z', channel: 'sms' },
      { type: 'code.burnt', at: '2011-03-02T10:01:00Z', channel: 'sms' },
      { type: 'signin.locked', at: '2011-03-03T10:00:00Z' },
      { type: 'device.trusted', at: '2011-03-04T10:00:00Z' },
      // Only SMS and voice sends count against the budget; email and channel-less rows do not.
      { type: 'code.sent', at: '2011-03-05T10:00:00Z', channel: 'sms' },
      { type: 'code.sent', at: '2011-03-05T10:01:00Z', channel: 'voice' },
      { type: 'code.sent', at: '2011-03-05T10:02:00Z', channel: 'email' },
      { type: 'code.sent', at: '2011-03-05T10:03:00Z', channel: null },
      { type: 'code.sent', at: '2011-03-05T10:04:00Z' },
      // Events the overview does not draw.
      { type: 'device.used', at: '2011-03-05T10:00:00Z' },
      { type: 'code.send_failed', at: '2011-03-05T10:00:00Z', channel: 'sms' },
    ]);

    const overview = await getSecurityOverview('2011-03-19');
    expect(overview.days).toHaveLength(30);
    expect([overview.days[0], overview.days.at(-1)]).toEqual(['2011-02-18', '2011-03-19']);
    const only = (entries: Record<string, number>) => overview.days.map((d) => entries[d] ?? 0);
    expect(overview.series).toEqual({
      signIns: only({ '2011-02-18': 1, '2011-03-19': 2 }),
      failedPasswords: only({ '2011-03-01': 2 }),
      wrongCodes: only({ '2011-03-02': 2 }),
      lockouts: only({ '2011-03-03': 1 }),
      trustedDevices: only({ '2011-03-04': 1 }),
      phoneSends: only({ '2011-03-05': 2 }),
    });
    expect(overview.smsDailyBudget).toBeGreaterThan(0);
  });

  it('reads the (type, createdAt) index, not the whole table, when the audit table is big', async () => {
    const plan = await db
      .$transaction(
        async (tx) => {
          // 40,000 events over 400 days of twelve kinds; rolled back, so no other test sees them.
          await tx.$executeRaw`
          INSERT INTO "AuditEvent" (id, type, detail, "createdAt")
          SELECT 'overview-plan-' || n,
                 (ARRAY['signin.succeeded','signin.password_failed','code.rejected','code.burnt',
                        'signin.locked','device.trusted','code.sent','device.used','signout',
                        'signin.password_ok','user.updated','ratelimit.hit'])[1 + n % 12],
                 jsonb_build_object('channel', CASE WHEN n % 3 = 0 THEN 'sms' ELSE 'email' END),
                 timestamp '2012-01-01' + (n % 400) * interval '1 day' + (n % 997) * interval '1 minute'
          FROM generate_series(1, 40000) AS n`;
          await tx.$executeRaw`ANALYZE "AuditEvent"`;
          const lines = await tx.$queryRaw<{ 'QUERY PLAN': string }[]>(
            Prisma.sql`EXPLAIN ${overviewQuery('2012-12-01')}`,
          );
          throw new Rollback(lines.map((l) => l['QUERY PLAN']).join('\n'));
        },
        { timeout: 60_000 },
      )
      .catch((error: unknown) => {
        if (error instanceof Rollback) return error.message;
        throw error;
      });
    expect(plan).toContain('AuditEvent_type_createdAt_idx');
    expect(plan).not.toContain('Seq Scan');
  }, 90_000);
});

describe("the audit log's filter, as the overview's links use it", () => {
  it('takes several event names and a channel, and a day as from 00:00 to 23:59 UTC', async () => {
    await seed([
      { type: 'code.sent', at: '2010-06-01T00:00:00Z', channel: 'sms' },
      { type: 'code.sent', at: '2010-06-01T23:59:59.999Z', channel: 'voice' },
      { type: 'code.sent', at: '2010-06-01T12:00:00Z', channel: 'email' },
      { type: 'code.sent', at: '2010-06-02T00:00:00Z', channel: 'sms' },
      { type: 'code.rejected', at: '2010-06-01T12:00:00Z', channel: 'sms' },
      { type: 'code.burnt', at: '2010-06-01T12:01:00Z', channel: 'email' },
      { type: 'code.expired', at: '2010-06-01T12:02:00Z', channel: 'sms' },
    ]);
    const day = { from: '2010-06-01T00:00', to: '2010-06-01T23:59' };
    const list = async (query: Record<string, string>) => {
      const { filter } = parseAuditQuery({ ...day, ...query });
      const { events } = await listAuditEvents(filter, 1);
      return events.map((e) => `${e.type}/${(e.detail as { channel: string }).channel}`).sort();
    };
    expect(await list({ type: 'code.sent', channel: 'sms,voice' })).toEqual([
      'code.sent/sms',
      'code.sent/voice',
    ]);
    expect(await list({ type: 'code.rejected,code.burnt' })).toEqual([
      'code.burnt/email',
      'code.rejected/sms',
    ]);
    expect(await list({ type: 'code.sent', channel: 'email' })).toEqual(['code.sent/email']);

    // The filter survives paging and export links; a malformed list filters nothing, said plainly.
    const { filter } = parseAuditQuery({
      ...day,
      type: 'code.rejected,code.burnt',
      channel: 'sms,voice',
    });
    expect(auditQueryString(filter)).toBe(
      '?type=code.rejected%2Ccode.burnt&channel=sms%2Cvoice&from=2010-06-01T00%3A00&to=2010-06-01T23%3A59',
    );
    const bad = parseAuditQuery({ type: 'code.sent,DROP TABLE', channel: 'sms,fax' }).filter;
    expect([bad.type, bad.channel]).toEqual(['', undefined]);
  });
});

class Rollback extends Error {}
