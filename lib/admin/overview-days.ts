// The security overview's vocabulary: which audit events each count is made of, and the UTC days
// it covers. Pure, so the page, the query and the tests share one definition.

export const OVERVIEW_DAY_COUNT = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export type OverviewMetric = {
  key: 'signIns' | 'failedPasswords' | 'wrongCodes' | 'lockouts' | 'trustedDevices' | 'phoneSends';
  label: string;
  /** Audit event names counted (see AuditEventType in lib/audit/record-event.ts). */
  types: readonly string[];
  /** Only events whose detail names one of these channels (the SMS budget counts SMS and voice). */
  channels?: readonly string[];
};
export type OverviewMetricKey = OverviewMetric['key'];

export const OVERVIEW_METRICS: readonly OverviewMetric[] = [
  { key: 'signIns', label: 'Sign-ins', types: ['signin.succeeded'] },
  { key: 'failedPasswords', label: 'Failed passwords', types: ['signin.password_failed'] },
  // The wrong code that uses up a code's last try is audited as `code.burnt`: still a wrong code.
  { key: 'wrongCodes', label: 'Wrong codes', types: ['code.rejected', 'code.burnt'] },
  { key: 'lockouts', label: 'Lockouts', types: ['signin.locked'] },
  { key: 'trustedDevices', label: 'New trusted devices', types: ['device.trusted'] },
  {
    key: 'phoneSends',
    label: 'SMS and voice sends',
    types: ['code.sent'],
    channels: ['sms', 'voice'],
  },
];

/** `YYYY-MM-DD` of the UTC day `date` falls in. */
export const utcDay = (date: Date): string => date.toISOString().slice(0, 10);

/** Midnight UTC at the start of `day` (`YYYY-MM-DD`). */
export const dayStart = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

/** The `count` UTC days ending with `lastDay`, oldest first. */
export function overviewDays(lastDay: string, count = OVERVIEW_DAY_COUNT): string[] {
  const last = dayStart(lastDay).getTime();
  return Array.from({ length: count }, (_, i) => utcDay(new Date(last - (count - 1 - i) * DAY_MS)));
}

/** The day `shift` days after `day` (negative: before). */
export const shiftDay = (day: string, shift: number): string =>
  utcDay(new Date(dayStart(day).getTime() + shift * DAY_MS));

const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The last day to show, from the page's `end` parameter: today when absent; a malformed or
 * impossible date, or one after today, falls back to today with a message, never an error page.
 */
export function parseOverviewEnd(text: string, now: Date): { lastDay: string; error?: string } {
  const today = utcDay(now);
  const trimmed = text.trim();
  if (trimmed === '') return { lastDay: today };
  const m = DAY_TEXT.exec(trimmed);
  const valid = m && utcDay(dayStart(trimmed)) === trimmed && Number(m[1]) >= 2000;
  if (!valid)
    return { lastDay: today, error: 'That is not a date like 2026-01-31: showing today.' };
  if (trimmed > today)
    return { lastDay: today, error: 'That day is still to come: showing today.' };
  return { lastDay: trimmed };
}

/** One row of the grouped query: a UTC day, an event name and how many of it that day. */
export type DayTypeCount = { day: string; type: string; count: number };

export type OverviewSeries = Record<OverviewMetricKey, number[]>;

/**
 * Per metric, one number per day of `days` (same order): days without events are 0, rows of days
 * or event names outside the overview are ignored. The channel filter is the query's job.
 */
export function bucketCounts(
  rows: readonly DayTypeCount[],
  days: readonly string[],
): OverviewSeries {
  const index = new Map(days.map((d, i) => [d, i]));
  const series = Object.fromEntries(
    OVERVIEW_METRICS.map((m) => [m.key, days.map(() => 0)]),
  ) as OverviewSeries;
  for (const row of rows) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    for (const metric of OVERVIEW_METRICS)
      if (metric.types.includes(row.type)) series[metric.key][i]! += row.count;
  }
  return series;
}
