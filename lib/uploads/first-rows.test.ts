import { describe, expect, it } from 'vitest';
import { FirstRows } from './first-rows';

// The duplicate check's key set (first-rows.ts), against a Map doing the same job.

/** Answers of a Map<string, number> used as FirstRows is. */
function mapAnswers(keys: string[]): (number | undefined)[] {
  const map = new Map<string, number>();
  return keys.map((key, i) => {
    const first = map.get(key);
    if (first === undefined) map.set(key, i + 2);
    return first;
  });
}

const answers = (set: FirstRows, keys: string[]) =>
  keys.map((key, i) => set.firstRowOrAdd(key, i + 2));

describe('FirstRows', () => {
  it('answers the first row of a key seen before, and undefined (adding it) for a new one', () => {
    const set = new FirstRows();
    expect(set.firstRowOrAdd('ana', 2)).toBeUndefined();
    expect(set.firstRowOrAdd('bo', 3)).toBeUndefined();
    expect(set.firstRowOrAdd('ana', 4)).toBe(2);
    expect(set.firstRowOrAdd('ana', 5)).toBe(2); // still the first, not the latest
    expect(set.firstRowOrAdd('ANA', 6)).toBeUndefined(); // keys are compared exactly
    expect(set.size).toBe(3);
  });

  it('agrees with a Map over 200,000 keys with repeats, across every growth of its tables', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) =>
      // Every seventh key repeats one from earlier; addresses of mixed lengths.
      i % 7 === 6 ? `user-${(i * 31) % i}@example.com` : `user-${i}@example.com`,
    );
    const set = new FirstRows();
    expect(answers(set, keys)).toEqual(mapAnswers(keys));
    expect(set.size).toBe(new Set(keys).size);
  });

  it('tells keys apart whose hashes are all equal', () => {
    const set = new FirstRows({ hash: () => 42 });
    const keys = ['a', 'b', 'a', 'c', 'b', 'd', 'c', ''];
    expect(answers(set, keys)).toEqual(mapAnswers(keys));
  });

  it('tells keys apart whose hashes share their low bits, as the table grows', () => {
    // Each hash lands in the same slot of every table smaller than 2^20 slots.
    const set = new FirstRows({ hash: (key) => (Number(key.slice(1)) % 16) << 20 });
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i % 3000}`);
    expect(answers(set, keys)).toEqual(mapAnswers(keys));
  });

  it('keeps keys in any script and emoji as they are', () => {
    const keys = [
      'zoë',
      'zoe',
      'zoë',
      '김민준',
      '🦊@example.com',
      '김민준',
      '🦊@example.com',
      'e\u0301',
    ];
    expect(answers(new FirstRows(), keys)).toEqual(mapAnswers(keys));
  });

  it('keeps keys exact that UTF-8 cannot hold as they are, and keys longer than its table takes', () => {
    const long = 'x'.repeat(70_000);
    const keys = ['a\uD800', 'a\uFFFD', 'a\uD800', '\uDC00', long, `${long}y`, long, 'a\uFFFD'];
    const set = new FirstRows();
    expect(answers(set, keys)).toEqual(mapAnswers(keys));
    expect(set.size).toBe(5);
  });

  it('hashes with a seed of its own, so two sets do not share collisions', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 8; i++)
      new FirstRows({
        hash: (key, seed) => {
          seeds.add(seed);
          return seed;
        },
      }).firstRowOrAdd('x', 2);
    expect(seeds.size).toBeGreaterThan(1);
  });
});
