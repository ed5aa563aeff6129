import { describe, expect, it } from 'vitest';
import { barChartGeometry, DEFAULT_CHART_BOX, roundUp } from './overview-chart-geometry';

const box = { width: 330, height: 130, left: 30, bottom: 20, top: 10 }; // plot 300 × 100

describe('the overview chart geometry', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 2, 3, 7, 10, 11, 26, 99, 101, 1000, 4001].map(roundUp)).toEqual([
      1, 1, 2, 5, 10, 10, 20, 50, 100, 200, 1000, 5000,
    ]);
  });

  it('puts one column per day across the plot, bar heights in proportion, zero days on the baseline', () => {
    const g = barChartGeometry([0, 5, 10], { box });
    expect(g.max).toBe(10);
    expect(g.baseline).toBe(110);
    expect(g.bars.map((b) => b.column)).toEqual([
      { x: 30, width: 100 },
      { x: 130, width: 100 },
      { x: 230, width: 100 },
    ]);
    expect(g.bars.map((b) => [b.y, b.height])).toEqual([
      [110, 0],
      [60, 50],
      [10, 100],
    ]);
    // Bars keep a gap between them; the column (the link) has none, so a zero day is a target.
    expect(g.bars[1]!.x).toBeGreaterThan(130);
    expect(g.bars[1]!.x + g.bars[1]!.width).toBeLessThan(230);
    expect(g.ticks).toEqual([
      { value: 0, y: 110 },
      { value: 5, y: 60 },
      { value: 10, y: 10 },
    ]);
    expect(g.budget).toBeNull();
  });

  it('draws an all-zero month on an axis of 1, without dividing by zero', () => {
    const g = barChartGeometry(Array(30).fill(0));
    expect(g.max).toBe(1);
    expect(g.bars).toHaveLength(30);
    expect(g.bars.every((b) => b.height === 0 && b.y === g.baseline)).toBe(true);
    expect(g.bars.at(-1)!.column.x + g.bars.at(-1)!.column.width).toBeCloseTo(
      DEFAULT_CHART_BOX.width,
    );
    expect(g.ticks.map((t) => t.value)).toEqual([0, 1]);
  });

  it('keeps the budget line inside the chart: the axis grows to the budget when sends are few', () => {
    const g = barChartGeometry([3, 0, 12], { box, budget: 40 });
    expect(g.max).toBe(50);
    expect(g.budget).toEqual({ value: 40, y: 110 - (40 / 50) * 100 });
    expect(g.bars[2]!.height).toBeCloseTo(24);
  });

  it('puts the budget line below the tallest bar on a day over budget', () => {
    const g = barChartGeometry([1500, 200], { box, budget: 1000 });
    expect(g.max).toBe(2000);
    expect(g.budget!.y).toBe(60);
    expect(g.bars[0]!.y).toBeLessThan(g.budget!.y);
    expect(g.bars[1]!.y).toBeGreaterThan(g.budget!.y);
  });
});
