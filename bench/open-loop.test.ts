import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivals, inTurn, openLoop, percentile } from './open-loop';

// The overload and paced benches read their latencies from this generator, so what it sends and
// what it reports are checked here against a local server whose answers take a known time.

describe('arrivals', () => {
  it('keeps the mean rate, with gaps that vary as a Poisson process’s do, the same for a seed', () => {
    const times = arrivals(50, 200, 42);
    expect(times.length / 200).toBeGreaterThan(47);
    expect(times.length / 200).toBeLessThan(53);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
    // Exponential gaps: standard deviation ≈ mean (evenly spaced arrivals would have ≈ 0).
    expect(sd / mean).toBeGreaterThan(0.9);
    expect(sd / mean).toBeLessThan(1.1);
    expect(arrivals(50, 200, 42)).toEqual(times);
    expect(arrivals(50, 200, 43)).not.toEqual(times);
  });
});

describe('percentile', () => {
  it('is the value at or above that share of the samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('inTurn', () => {
  it('hands out each item once, in order, then nothing, and counts what it handed out', () => {
    const turn = inTurn(['a', 'b'], (item) => ({ path: `/${item}`, body: '', headers: {} }));
    expect(turn.request()?.path).toBe('/a');
    expect(turn.request()?.path).toBe('/b');
    expect(turn.request()).toBeNull();
    expect(turn.request()).toBeNull();
    expect(turn.taken()).toBe(2);
  });
});

describe('openLoop', () => {
  const DELAY_MS = 60;
  const arrivalsAt: number[] = [];
  let server: http.Server;
  let origin: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      if (request.url === '/hang') return; // never answers
      if (request.url === '/drop') {
        // Headers, then the connection ends before the body it announced.
        response.writeHead(200, { 'content-length': '100' });
        response.write('partial');
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      arrivalsAt.push(performance.now());
      setTimeout(() => {
        response.writeHead(request.url === '/yes' ? 303 : 503, { location: '/account' });
        response.end();
      }, DELAY_MS);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends on schedule, not in bursts, and reports only the latencies of real answers', async () => {
    arrivalsAt.length = 0;
    const result = await openLoop({
      origin,
      rate: 40,
      seconds: 2,
      seed: 9,
      request: (i) => ({ path: i % 4 === 0 ? '/no' : '/yes', body: 'a=1', headers: {} }),
      wanted: (status) => status === 303,
    });
    const expected = arrivals(40, 2, 9).length;
    expect(result.sent).toBe(expected);
    expect(arrivalsAt).toHaveLength(expected);
    expect(result.latencies).toHaveLength(expected);
    expect(result.statuses.get(503)).toBe(Math.ceil(expected / 4));
    expect(result.wanted).toBe(expected - Math.ceil(expected / 4));
    // Every answer took the server's delay and a little more; none is a made-up sample below it.
    expect(result.latencies[0]).toBeGreaterThanOrEqual(DELAY_MS - 1);
    expect(percentile(result.latencies, 50)).toBeLessThan(DELAY_MS * 3);
    // At 40/s, no 50 ms holds a third of the requests (a Poisson schedule puts at most ~6 there;
    // autocannon's pacing sent each second's ~40 at once). Loose enough for a stalled event loop.
    const busiest = Math.max(
      ...arrivalsAt.map((t) => arrivalsAt.filter((u) => u >= t && u < t + 50).length),
    );
    expect(busiest).toBeLessThan(expected / 3);
  });

  it('counts a request with no answer in time as a timeout at the timeout, and one cut off as an error', async () => {
    const result = await openLoop({
      origin,
      rate: 20,
      seconds: 0.5,
      seed: 4,
      timeoutMs: 150,
      request: (i) => ({ path: i % 2 === 0 ? '/hang' : '/drop', body: '', headers: {} }),
      wanted: () => true,
    });
    expect(result.sent).toBeGreaterThan(3);
    expect(result.timeouts).toBe(Math.ceil(result.sent / 2));
    expect(result.errors).toBe(Math.floor(result.sent / 2));
    expect(result.wanted).toBe(0);
    // The timeouts stay in the latencies, at the timeout: a slow tail is not dropped.
    expect(result.latencies).toEqual(Array(result.timeouts).fill(150));
  });

  it('skips arrivals with nothing to send', async () => {
    const result = await openLoop({
      origin,
      rate: 50,
      seconds: 1,
      request: (i) => (i < 3 ? { path: '/yes', body: '', headers: {} } : null),
      wanted: (status) => status === 303,
    });
    expect(result.sent).toBe(3);
    expect(result.scheduled).toBeGreaterThan(3);
    expect(result.wanted).toBe(3);
  });
});
