import { describe, expect, it } from 'vitest';
import { bucketCounts, overviewDays, parseOverviewEnd, shiftDay, utcDay } from './overview-days';

describe('the overview days', () => {
  it('are 30 UTC days ending with the last one, oldest first, across month and year ends', () => {
    const days = overviewDays('2027-01-14');
    expect(days).toHaveLength(30);
    expect(days[0]).toBe('2026-12-16');
    expect(days.at(-1)).toBe('2027-01-14');
    expect(overviewDays('2028-03-01', 3)).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(shiftDay('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('are UTC days: 23:30 in New York on the 1st is already the 2nd', () => {
    expect(utcDay(new Date('2026-12-01T23:30:00-05:00'))).toBe('2026-12-02');
  });

  it('end today by default; a bad, impossible or future end says so and shows today', () => {
    const now = new Date('2026-12-02T18:00:00Z');
    expect(parseOverviewEnd('', now)).toEqual({ lastDay: '2026-12-02' });
    expect(parseOverviewEnd(' 2026-11-05 ', now)).toEqual({ lastDay: '2026-11-05' });
    for (const bad of ['2026-02-30', '05/11/2026', '2026-11-5', 'x', '0001-01-01'])
      expect(parseOverviewEnd(bad, now)).toMatchObject({ lastDay: '2026-12-02', error: /date/ });
    expect(parseOverviewEnd('2026-12-03', now)).toMatchObject({
      lastDay: '2026-12-02',
      error: /to come/,
    });
  });

  it('bucket the grouped counts per metric and day: missing days are zeros, wrong codes add up', () => {
    const days = overviewDays('2026-12-02', 3);
    const series = bucketCounts(
      [
        { day: '2026-11-30', type: 'signin.succeeded', count: 4 },
        { day: '2026-12-02', type: 'signin.succeeded', count: 1 },
        { day: '2026-12-02', type: 'code.rejected', count: 3 },
        { day: '2026-12-02', type: 'code.burnt', count: 1 },
        { day: '2026-12-01', type: 'code.sent', count: 7 },
        { day: '2026-12-01', type: 'signin.locked', count: 2 },
        { day: '2026-12-01', type: 'device.trusted', count: 5 },
        { day: '2026-12-01', type: 'signin.password_failed', count: 6 },
        // Outside the days, or not an event the overview counts: ignored.
        { day: '2026-11-29', type: 'signin.succeeded', count: 100 },
        { day: '2026-12-01', type: 'device.used', count: 100 },
      ],
      days,
    );
    expect(series).toEqual({
      signIns: [4, 0, 1],
      failedPasswords: [0, 6, 0],
      wrongCodes: [0, 0, 4],
      lockouts: [0, 2, 0],
      trustedDevices: [0, 5, 0],
      phoneSends: [0, 7, 0],
    });
  });
});
