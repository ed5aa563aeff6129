import { barChartGeometry } from '@/lib/admin/overview-chart-geometry';

export const dayLabel = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
}).format;
const dayOf = (day: string) => dayLabel(new Date(`${day}T00:00:00Z`));

/**
 * One metric over the days, as an SVG drawn on the server (no JavaScript). For screen readers the
 * picture is one image whose title and description summarise it; the same numbers, each a link,
 * are in the page's table. Each day's column links too, for the mouse, from a layer over the
 * picture that stays out of the tab order, so a keyboard does not walk 30 stops per chart.
 */
export function OverviewChart({
  id,
  label,
  days,
  values,
  hrefs,
  budget,
}: {
  id: string;
  label: string;
  days: readonly string[];
  values: readonly number[];
  hrefs: readonly string[];
  budget?: number;
}) {
  const g = barChartGeometry(values, budget === undefined ? {} : { budget });
  const { width, height, left } = g.box;
  const total = values.reduce((a, b) => a + b, 0);
  const top = values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);
  const overBudget = budget === undefined ? [] : days.filter((_, i) => values[i]! > budget);
  const description = [
    total === 0
      ? 'None on any day.'
      : `${total} in all; most on ${dayOf(days[top]!)} (${values[top]}); ${values.at(-1)} on ${dayOf(days.at(-1)!)}.`,
    budget === undefined
      ? ''
      : `Daily budget ${budget}: ${overBudget.length === 0 ? 'no day over it' : `over it on ${overBudget.map(dayOf).join(', ')}`}.`,
  ]
    .join(' ')
    .trim();
  const xLabels = [0, Math.floor((days.length - 1) / 2), days.length - 1];

  return (
    <div className="relative">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="block h-auto w-full text-slate-700"
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
      >
        <title
          id={`${id}-title`}
        >{`${label} per UTC day, ${dayOf(days[0]!)} to ${dayOf(days.at(-1)!)}`}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        <g fill="currentColor" fontSize="12">
          {g.ticks.map((t) => (
            <g key={t.value}>
              <line
                x1={left}
                x2={width}
                y1={t.y}
                y2={t.y}
                stroke="currentColor"
                strokeOpacity={t.value === 0 ? 1 : 0.2}
              />
              <text x={left - 6} y={t.y + 4} textAnchor="end">
                {t.value}
              </text>
            </g>
          ))}
          {xLabels.map((i) => (
            <text
              key={i}
              x={g.bars[i]!.column.x + g.bars[i]!.column.width / 2}
              y={height - 6}
              textAnchor={i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle'}
            >
              {dayOf(days[i]!)}
            </text>
          ))}
        </g>
        <g className="text-indigo-700" fill="currentColor">
          {g.bars.map((bar) => (
            <rect key={bar.index} x={bar.x} y={bar.y} width={bar.width} height={bar.height} />
          ))}
        </g>
        {g.budget && (
          <g className="text-red-700" fill="currentColor" fontSize="12">
            <line
              x1={left}
              x2={width}
              y1={g.budget.y}
              y2={g.budget.y}
              stroke="currentColor"
              strokeWidth={2}
              strokeDasharray="6 4"
            />
            {/* Under the line when it runs along the top, where a label above it would be cut. */}
            <text
              x={width - 2}
              y={g.budget.y < 20 ? g.budget.y + 14 : g.budget.y - 4}
              textAnchor="end"
            >
              {`daily budget ${g.budget.value}`}
            </text>
          </g>
        )}
      </svg>
      {/* The links, over the picture: an image's content is not interactive for assistive
        technology, so they are hidden from it (the table has them) and kept off the tab order. */}
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="absolute inset-0 h-full w-full"
        aria-hidden="true"
        data-testid={`${id}-links`}
      >
        {g.bars.map((bar) => (
          <a key={days[bar.index]} href={hrefs[bar.index]} tabIndex={-1}>
            <title>{`${dayOf(days[bar.index]!)}: ${bar.value}`}</title>
            <rect
              x={bar.column.x}
              y={g.plotTop}
              width={bar.column.width}
              height={g.baseline - g.plotTop}
              className="fill-transparent hover:fill-indigo-500/15"
            />
          </a>
        ))}
      </svg>
    </div>
  );
}
