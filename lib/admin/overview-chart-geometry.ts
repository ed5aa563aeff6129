// Where the bars, ticks and budget line of an overview chart go, in SVG user units. Pure, so the
// drawing is tested without a browser and the page renders it on the server (no JavaScript).

export type ChartBox = { width: number; height: number; left: number; bottom: number; top: number };
export const DEFAULT_CHART_BOX: ChartBox = {
  width: 640,
  height: 170,
  left: 40,
  bottom: 24,
  top: 10,
};

export type Bar = {
  index: number;
  value: number;
  /** The column a day owns, full height: the link's target, so a zero day is clickable too. */
  column: { x: number; width: number };
  x: number;
  y: number;
  width: number;
  height: number;
};
export type ChartGeometry = {
  box: ChartBox;
  /** Top of the value axis: a round number at or above every bar and the budget. */
  max: number;
  /** The plot area's bottom (value 0) and top (value `max`). */
  baseline: number;
  plotTop: number;
  bars: Bar[];
  ticks: { value: number; y: number }[];
  budget: { value: number; y: number } | null;
};

/** The smallest of 1, 2, 5 × 10^k that is at least `value` (and at least 1). */
export function roundUp(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function barChartGeometry(
  values: readonly number[],
  options: { budget?: number; box?: ChartBox } = {},
): ChartGeometry {
  const box = options.box ?? DEFAULT_CHART_BOX;
  const budget = options.budget ?? null;
  const max = roundUp(Math.max(0, ...values, budget ?? 0));
  const baseline = box.height - box.bottom;
  const plotTop = box.top;
  const plotHeight = baseline - plotTop;
  const y = (value: number) => baseline - (value / max) * plotHeight;
  const columnWidth = values.length ? (box.width - box.left) / values.length : 0;
  const gap = Math.min(4, columnWidth * 0.2);
  const bars = values.map((value, index) => {
    const columnX = box.left + index * columnWidth;
    const top = y(value);
    return {
      index,
      value,
      column: { x: columnX, width: columnWidth },
      x: columnX + gap / 2,
      y: top,
      width: columnWidth - gap,
      height: baseline - top,
    };
  });
  const ticks = [0, max / 2, max]
    .filter((v) => Number.isInteger(v))
    .map((value) => ({ value, y: y(value) }));
  return {
    box,
    max,
    baseline,
    plotTop,
    bars,
    ticks,
    budget: budget === null ? null : { value: budget, y: y(budget) },
  };
}
