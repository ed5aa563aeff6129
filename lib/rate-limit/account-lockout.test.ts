import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@/lib/store/memory-store';
import {
  clearPasswordFailures,
  countPasswordAttempt,
  lockDurationMs,
  lockSchedule,
  lockStatus,
} from './account-lockout';
import { lockoutPolicy } from './policies';

const MINUTE = 60_000;

describe('account lockout', () => {
  it('BF-01 every 5th failure locks: 1 minute, then doubling, capped at 1 hour', () => {
    const locks = Array.from({ length: 50 }, (_, i) => lockDurationMs(i + 1));
    expect(locks.slice(0, 4)).toEqual([null, null, null, null]);
    const started = locks.flatMap((ms, i) => (ms === null ? [] : [[i + 1, ms / MINUTE]]));
    expect(started).toEqual([
      [5, 1],
      [10, 2],
      [15, 4],
      [20, 8],
      [25, 16],
      [30, 32],
      [35, 60],
      [40, 60],
      [45, 60],
      [50, 60],
    ]);
    expect(lockDurationMs(5_000_000)).toBe(lockoutPolicy.maxLockMs);
    // What the store is given: the same lengths, the cap last (it repeats).
    expect(lockSchedule().map((ms) => ms / MINUTE)).toEqual([1, 2, 4, 8, 16, 32, 60]);
  });

  it('BF-01 a lock runs out on its own, and clearing forgets the failures', async () => {
    let now = 1_700_000_000_000;
    const store = createMemoryStore({ now: () => now });
    for (let i = 0; i < 4; i++)
      expect((await countPasswordAttempt(store, 'alice')).startedLockMs).toBeNull();
    expect(await countPasswordAttempt(store, 'alice')).toEqual({
      usernameKey: 'alice',
      attempts: 5,
      lockedForMs: null,
      startedLockMs: MINUTE,
    });
    expect(await lockStatus(store, 'alice')).toEqual({ failures: 5, lockedForMs: MINUTE });
    now += MINUTE;
    expect(await lockStatus(store, 'alice')).toEqual({ failures: 5, lockedForMs: null });
    await clearPasswordFailures(store, 'alice');
    expect(await lockStatus(store, 'alice')).toEqual({ failures: 0, lockedForMs: null });
  });
});
