import 'server-only';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { Prisma } from '@/lib/generated/prisma/client';
import {
  bucketCounts,
  dayStart,
  OVERVIEW_DAY_COUNT,
  OVERVIEW_METRICS,
  overviewDays,
  shiftDay,
  type DayTypeCount,
  type OverviewSeries,
} from './overview-days';

export type SecurityOverview = {
  /** The UTC days shown, oldest first (`YYYY-MM-DD`). */
  days: string[];
  series: OverviewSeries;
  /** SMS_DAILY_BUDGET: SMS and voice codes the deployment may send per UTC day. */
  smsDailyBudget: number;
};

const countedTypes = [...new Set(OVERVIEW_METRICS.flatMap((m) => m.types))];
const channelMetrics = OVERVIEW_METRICS.filter((m) => m.channels);

/**
 * Per UTC day and event, the counts the overview draws, for the 30 days ending `lastDay`: one
 * grouped query. `type IN (…)` with the `createdAt` range reads only the matching entries of the
 * (type, createdAt) index, so its cost follows the month's counted events, not the table's size
 * (docs/decisions/0024-security-overview.md). `createdAt` is stored as UTC, so its date is the UTC day.
 */
export function overviewQuery(lastDay: string): Prisma.Sql {
  const from = dayStart(shiftDay(lastDay, 1 - OVERVIEW_DAY_COUNT));
  const to = dayStart(shiftDay(lastDay, 1));
  // Some events count only on some channels (code sends: SMS and voice, not email).
  const channelTypes = channelMetrics.flatMap((m) => m.types);
  const onChannel = channelMetrics.map(
    (m) =>
      Prisma.sql`(type IN (${Prisma.join(m.types)}) AND detail->>'channel' IN (${Prisma.join(m.channels!)}))`,
  );
  const channelFilter = channelTypes.length
    ? Prisma.sql`AND (type NOT IN (${Prisma.join(channelTypes)}) OR ${Prisma.join(onChannel, ' OR ')})`
    : Prisma.empty;
  // Grouped by the date first and formatted after: to_char on every row costs more than the scan.
  return Prisma.sql`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, type, count FROM (
      SELECT "createdAt"::date AS day, type, count(*)::int AS count
      FROM "AuditEvent"
      WHERE type IN (${Prisma.join(countedTypes)})
        AND "createdAt" >= ${from} AND "createdAt" < ${to}
        ${channelFilter}
      GROUP BY 1, 2
    ) AS per_day`;
}

export async function getSecurityOverview(lastDay: string): Promise<SecurityOverview> {
  const days = overviewDays(lastDay);
  const rows = await db.$queryRaw<DayTypeCount[]>(overviewQuery(lastDay));
  return { days, series: bucketCounts(rows, days), smsDailyBudget: env.SMS_DAILY_BUDGET };
}
