import type { Metadata } from 'next';
import Link from 'next/link';
import { secondaryButtonClass } from '@/app/ui/auth-card';
import { requireAdmin } from '@/lib/web/current-user';
import { getSecurityOverview } from '@/lib/admin/security-overview';
import {
  dayStart,
  OVERVIEW_METRICS,
  parseOverviewEnd,
  shiftDay,
  utcDay,
  type OverviewMetric,
} from '@/lib/admin/overview-days';
import { auditQueryString } from '@/lib/audit/audit-log';
import { cardClass, cellClass, headCellClass, linkClass } from './styles';
import { dayLabel, OverviewChart } from './overview-chart';

export const metadata: Metadata = { title: 'Security overview' };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const fullDay = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format;

/** The audit log, filtered to the events a metric counts on one UTC day. */
function auditHref(metric: OverviewMetric, day: string): string {
  return `/admin/audit${auditQueryString({
    username: '',
    type: metric.types.join(','),
    channel: metric.channels?.join(',') ?? '',
    from: dayStart(day),
    to: dayStart(shiftDay(day, 1)),
  })}`;
}

// The first page an admin sees: the month's sign-in activity at a glance (issue 14). requireAdmin
// runs before anything is read, so a non-admin gets "not found" here as on every admin page.
export default async function AdminOverview({
  searchParams,
}: {
  searchParams: Promise<{ end?: string | string[] }>;
}) {
  await requireAdmin();
  const now = new Date();
  const { lastDay, error } = parseOverviewEnd(first((await searchParams).end), now);
  const { days, series, smsDailyBudget } = await getSecurityOverview(lastDay);
  const later = shiftDay(lastDay, days.length);
  const today = utcDay(now);
  const hrefs = (metric: OverviewMetric) => days.map((day) => auditHref(metric, day));

  return (
    <main>
      <h1 className="mb-2 text-2xl font-semibold">Security overview</h1>
      <p className="mb-4 max-w-3xl text-slate-700">
        Sign-in activity per day from {fullDay(dayStart(days[0]!))} to {fullDay(dayStart(lastDay))}.
        Days are UTC days, midnight to midnight UTC. Every bar, and every number in the table below,
        opens that day&apos;s events in the audit log.
      </p>
      {error && (
        <p className="mb-4 text-red-800" role="status">
          {error}
        </p>
      )}
      <nav aria-label="Other days" className="mb-6 flex flex-wrap gap-2">
        <Link
          href={`/admin?end=${shiftDay(lastDay, -days.length)}`}
          className={secondaryButtonClass}
        >
          Earlier 30 days
        </Link>
        {lastDay < today && (
          <Link
            href={later >= today ? '/admin' : `/admin?end=${later}`}
            className={secondaryButtonClass}
          >
            Later 30 days
          </Link>
        )}
      </nav>

      <div className="mb-8 grid gap-6 lg:grid-cols-2">
        {OVERVIEW_METRICS.map((metric) => {
          const values = series[metric.key];
          const total = values.reduce((a, b) => a + b, 0);
          return (
            <section
              key={metric.key}
              aria-labelledby={`${metric.key}-heading`}
              className={cardClass}
            >
              <h2 id={`${metric.key}-heading`} className="text-lg font-semibold">
                {metric.label}
              </h2>
              <p className="mb-3 text-sm text-slate-700">
                {total} in 30 days, {values.at(-1)} on {dayLabel(dayStart(lastDay))}
                {metric.key === 'phoneSends' &&
                  `; the daily budget (SMS_DAILY_BUDGET) is ${smsDailyBudget}, the dashed line`}
              </p>
              <OverviewChart
                id={`chart-${metric.key}`}
                label={metric.label}
                days={days}
                values={values}
                hrefs={hrefs(metric)}
                {...(metric.key === 'phoneSends' ? { budget: smsDailyBudget } : {})}
              />
            </section>
          );
        })}
      </div>

      <details className={cardClass}>
        <summary className="cursor-pointer font-semibold">The numbers as a table</summary>
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="mb-2 text-left text-slate-700">
              Events per UTC day, newest first; each number links to those events.
            </caption>
            <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
              <tr>
                <th scope="col" className={headCellClass}>
                  Day (UTC)
                </th>
                {OVERVIEW_METRICS.map((m) => (
                  <th key={m.key} scope="col" className={headCellClass}>
                    {m.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {days
                .map((day, i) => ({ day, i }))
                .reverse()
                .map(({ day, i }) => (
                  <tr key={day}>
                    <th scope="row" className={`${cellClass} font-medium whitespace-nowrap`}>
                      <time dateTime={day}>{fullDay(dayStart(day))}</time>
                    </th>
                    {OVERVIEW_METRICS.map((m) => (
                      <td key={m.key} className={cellClass}>
                        <Link href={auditHref(m, day)} className={linkClass}>
                          {series[m.key][i]}
                          <span className="sr-only">
                            {' '}
                            {m.label.toLowerCase()} on {fullDay(dayStart(day))}
                          </span>
                        </Link>
                      </td>
                    ))}
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </main>
  );
}
