import { describe, expect, it, vi } from 'vitest';
import {
  ADJUST_EVERY_MS,
  createGate,
  defaultGateSize,
  gateSlots,
  GateFullError,
  isGateFullError,
  LOOP_BUSY_HIGH,
  LOOP_BUSY_LOW,
  LOOP_LAG_HIGH_MS,
  LOOP_LAG_LOW_MS,
  loopWatch,
} from './sign-in-gate';

/** A task that runs until the test lets it finish. */
function held<T>(value: T) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let started = false;
  return {
    task: async () => {
      started = true;
      await done;
      return value;
    },
    finish: () => finish(),
    get started() {
      return started;
    },
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('sign-in gate (P5 admission control)', () => {
  it('starts at one slot and may adapt up to two per core but no more than the hashing threads, or runs SIGN_IN_CONCURRENCY fixed; a second of waiting, eight per slot until measured', () => {
    expect(defaultGateSize(2)).toEqual({ slots: 1, maxSlots: 4, queue: 8, maxWaitMs: 1000 });
    // libuv's pool has four threads unless UV_THREADPOOL_SIZE says otherwise.
    expect(defaultGateSize(8, undefined, 1000, 4)).toMatchObject({ maxSlots: 4 });
    expect(defaultGateSize(8, undefined, 1000, 16)).toMatchObject({ maxSlots: 16 });
    expect(defaultGateSize(8, undefined, 1000, 64)).toMatchObject({ maxSlots: 16 });
    expect(defaultGateSize(1, undefined)).toEqual({
      slots: 1,
      maxSlots: 2,
      queue: 8,
      maxWaitMs: 1000,
    });
    expect(defaultGateSize(2, 6)).toEqual({ slots: 6, queue: 48, maxWaitMs: 1000 });
    expect(defaultGateSize(2, undefined, 250)).toMatchObject({ slots: 1, maxWaitMs: 250 });
    expect(defaultGateSize(2, 1, 0)).toEqual({ slots: 1, queue: 8 }); // fixed slots and queue
  });

  it('P5 an adaptive gate adds a slot each look while steps wait and the event loop is idle enough, and gives one up when the loop is too busy or too late, within its bounds', async () => {
    let now = 0;
    let busy = 0.1;
    let lagMs = 1;
    const looks: number[] = [];
    const gate = createGate(
      { slots: 1, maxSlots: 3, queue: 20 },
      () => now,
      () => {
        looks.push(now);
        return { busy, lagMs };
      },
    );
    const steps = Array.from({ length: 6 }, (_, i) => held(i));
    const results = steps.map((t) => gate.run(t.task));
    await settle();
    expect(gate.load()).toMatchObject({ slots: 1, running: 1, waiting: 5 });
    expect(looks).toEqual([]); // not yet a quarter of a second

    // A quarter of a second later, steps waited and the loop was idle: a slot more, and the next in
    // line starts at once, without waiting for a step to finish.
    now += ADJUST_EVERY_MS;
    expect(gate.full()).toBe(false);
    await settle();
    expect(gate.load()).toMatchObject({ slots: 2, running: 2, waiting: 4 });
    expect(steps.map((t) => t.started)).toEqual([true, true, false, false, false, false]);

    // Between the thresholds nothing moves, though steps wait.
    busy = (LOOP_BUSY_HIGH + LOOP_BUSY_LOW) / 2;
    now += ADJUST_EVERY_MS;
    gate.full();
    busy = 0.1;
    lagMs = (LOOP_LAG_HIGH_MS + LOOP_LAG_LOW_MS) / 2;
    now += ADJUST_EVERY_MS;
    gate.full();
    expect(gate.load()).toMatchObject({ slots: 2, running: 2, waiting: 4 });
    lagMs = 1;

    // Twice more: the count stops at maxSlots.
    now += ADJUST_EVERY_MS;
    gate.full();
    now += ADJUST_EVERY_MS;
    gate.full();
    await settle();
    expect(gate.load()).toMatchObject({ slots: 3, running: 3, waiting: 3 });

    // Too busy, or too late (a core too busy to run the loop): a slot fewer each look, down to
    // one. Running steps are not stopped; finishing ones give their slot up instead of passing it
    // on, until no more than the slots run.
    lagMs = LOOP_LAG_HIGH_MS + 1;
    now += ADJUST_EVERY_MS;
    gate.full();
    expect(gate.load().slots).toBe(2);
    lagMs = 1;
    busy = LOOP_BUSY_HIGH + 0.05;
    now += ADJUST_EVERY_MS;
    gate.full();
    now += ADJUST_EVERY_MS;
    gate.full();
    expect(gate.load()).toMatchObject({ slots: 1, running: 3, waiting: 3 });
    steps[0]!.finish();
    await settle();
    expect(gate.load()).toMatchObject({ running: 2, waiting: 3 });
    steps[1]!.finish();
    await settle();
    expect(gate.load()).toMatchObject({ running: 1, waiting: 3 });
    expect(steps[3]!.started).toBe(false);
    steps[2]!.finish();
    await settle();
    expect(gate.load()).toMatchObject({ running: 1, waiting: 2 }); // now the slot passes on
    expect(steps[3]!.started).toBe(true);

    // An idle loop without waiting steps adds nothing.
    busy = 0;
    for (const t of steps.slice(3)) {
      t.finish();
      await settle();
    }
    await Promise.all(results);
    now += ADJUST_EVERY_MS;
    gate.full();
    expect(gate.load()).toMatchObject({ slots: 1, running: 0, waiting: 0 });
  });

  it('P5 an adaptive gate gives slots back while idle, keeps eight waiting places per slot it has, and counts a refusal as demand', async () => {
    let now = 0;
    const gate = createGate(
      { slots: 1, maxSlots: 4, queue: 8 },
      () => now,
      () => ({ busy: 0.1, lagMs: 0 }),
    );
    const steps = Array.from({ length: 9 }, (_, i) => held(i));
    const results = steps.map((t) => gate.run(t.task));
    await settle();
    expect(gate.load()).toMatchObject({ slots: 1, running: 1, waiting: 8, queueLimit: 8 });
    expect(gate.full()).toBe(true);
    for (let look = 0; look < 3; look++) {
      now += ADJUST_EVERY_MS;
      gate.full();
    }
    await settle();
    // Four slots: the places to wait grow with them (nothing measured yet: eight per slot).
    expect(gate.load()).toMatchObject({ slots: 4, running: 4, waiting: 5, queueLimit: 32 });
    for (const t of steps) t.finish();
    await Promise.all(results);

    // Idle looks: one slot back each, down to where it started.
    for (const expected of [3, 2, 1, 1]) {
      now += ADJUST_EVERY_MS;
      gate.full();
      expect(gate.load().slots).toBe(expected);
    }

    // A refusal by the route's own check (full() before the body is read) is demand too, though
    // no step waited: a gate with no queue, its one slot taken.
    const bare = createGate(
      { slots: 1, maxSlots: 4, queue: 0 },
      () => now,
      () => ({ busy: 0.1, lagMs: 0 }),
    );
    const only = held('only');
    const ran = bare.run(only.task);
    expect(bare.full()).toBe(true);
    only.finish();
    await ran;
    now += ADJUST_EVERY_MS;
    bare.full();
    expect(bare.load()).toMatchObject({ slots: 2, running: 0, waiting: 0 });
  });

  it('a fixed gate (SIGN_IN_CONCURRENCY) never asks the event loop and never changes its slots', async () => {
    let now = 0;
    const asked = vi.fn(() => ({ busy: 0, lagMs: 0 }));
    const gate = createGate({ slots: 2, queue: 4 }, () => now, asked);
    const steps = Array.from({ length: 4 }, (_, i) => held(i));
    const results = steps.map((t) => gate.run(t.task));
    now += 10 * ADJUST_EVERY_MS;
    gate.full();
    await settle();
    expect(gate.load()).toMatchObject({ slots: 2, running: 2, waiting: 2 });
    for (const t of steps) t.finish();
    await Promise.all(results);
    expect(asked).not.toHaveBeenCalled();
  });

  it('reads the event loop as Node measures it: busy and late while code runs, idle and on time while it waits', async () => {
    const look = loopWatch();
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await pause(30); // the lag histogram's first samples
    look();
    // The loop runs code nearly the whole time, in blocks of 40 ms (Node's histogram may drop the
    // first sample after a reset, so one block is not enough).
    for (let block = 0; block < 4; block++) {
      await pause(0);
      const spinUntil = performance.now() + 40;
      while (performance.now() < spinUntil);
    }
    const busy = look();
    expect(busy.busy).toBeGreaterThan(0.6);
    expect(busy.lagMs).toBeGreaterThan(25);
    await pause(20);
    look(); // a fresh start, so that nothing of the busy blocks is in the idle reading
    await pause(100); // the loop waits the whole time
    const idle = look();
    expect(idle.busy).toBeLessThan(0.5);
    expect(idle.lagMs).toBeLessThan(busy.lagMs);
  });

  it('P5 the queue holds what the slots finish within maxWaitMs at the measured pace: a burst past eight is admitted when steps are fast, never fewer than the configured queue when they are slow', async () => {
    let now = 0;
    const gate = createGate({ slots: 2, queue: 8, maxWaitMs: 1000 }, () => now);
    expect(gate.load().queueLimit).toBe(8); // nothing measured yet

    // Steps of 40 ms: two slots finish 50 in a second, so 50 may wait.
    for (let i = 0; i < 5; i++) {
      const step = held(i);
      const result = gate.run(step.task);
      now += 40;
      step.finish();
      await result;
    }
    expect(gate.load().queueLimit).toBe(50);
    const burst = Array.from({ length: 52 }, (_, i) => held(i));
    const results = burst.map((t) => gate.run(t.task));
    await settle();
    expect(gate.load()).toMatchObject({ running: 2, waiting: 50 });
    await expect(gate.run(async () => 'one too many')).rejects.toBeInstanceOf(GateFullError);

    // Steps that now take 2 s each pull the average up and the queue back to its configured size.
    for (const t of burst) {
      now += 2000;
      t.finish();
      await settle();
    }
    await Promise.all(results);
    expect(gate.load()).toMatchObject({ running: 0, waiting: 0, queueLimit: 8 });
  });

  it('without maxWaitMs the queue stays the configured count, however fast steps are', async () => {
    let now = 0;
    const gate = createGate({ slots: 1, queue: 3 }, () => now);
    const step = held('quick');
    const result = gate.run(step.task);
    now += 1;
    step.finish();
    await result;
    expect(gate.load().queueLimit).toBe(3);
  });

  it('runs at most `slots` tasks at once and starts the waiting ones in arrival order', async () => {
    const gate = createGate({ slots: 2, queue: 10 });
    const tasks = [held('a'), held('b'), held('c'), held('d')];
    const results = tasks.map((t) => gate.run(t.task));
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([true, true, false, false]);
    expect(gate.load()).toMatchObject({ running: 2, waiting: 2 });

    tasks[1]!.finish();
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, false]);
    expect(gate.load()).toMatchObject({ running: 2, waiting: 1 });

    tasks[0]!.finish();
    tasks[2]!.finish();
    tasks[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.load()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('is full only when every slot is taken and the queue is full, and then refuses at once', async () => {
    const gate = createGate({ slots: 1, queue: 2 });
    const tasks = [held(1), held(2), held(3)];
    expect(gate.full()).toBe(false);
    const results = tasks.map((t) => gate.run(t.task));
    await settle();
    expect(gate.load()).toMatchObject({ running: 1, waiting: 2 });
    expect(gate.full()).toBe(true);

    let ran = false;
    await expect(gate.run(async () => void (ran = true))).rejects.toBeInstanceOf(GateFullError);
    expect(ran).toBe(false);
    expect(gate.load()).toMatchObject({ running: 1, waiting: 2 });

    tasks[0]!.finish();
    await settle();
    expect(gate.full()).toBe(false);
    tasks[1]!.finish();
    tasks[2]!.finish();
    expect(await Promise.all(results)).toEqual([1, 2, 3]);
    expect(gate.load()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('releases the slot when a task fails, so a throwing hash never wedges the gate', async () => {
    const gate = createGate({ slots: 1, queue: 1 });
    await expect(gate.run(async () => Promise.reject(new Error('malformed hash')))).rejects.toThrow(
      'malformed hash',
    );
    expect(gate.load()).toMatchObject({ running: 0, waiting: 0 });
    expect(await gate.run(async () => 'next')).toBe('next');
  });

  it('a refusal is told apart by another copy of this module (proxy.ts and the action are bundled apart)', async () => {
    vi.resetModules();
    const otherCopy = await import('./sign-in-gate');
    expect(otherCopy.GateFullError).not.toBe(GateFullError);

    const gate = createGate({ slots: 1, queue: 0 });
    const task = held('first');
    const first = gate.run(task.task);
    const refusal = await gate.run(async () => 'second').catch((error: unknown) => error);
    // What the action used to ask: false across copies, so the refusal became a 500.
    expect(refusal instanceof otherCopy.GateFullError).toBe(false);
    expect(otherCopy.isGateFullError(refusal)).toBe(true);
    expect(isGateFullError(refusal)).toBe(true);
    expect(otherCopy.isGateFullError(new Error('database down'))).toBe(false);
    expect(isGateFullError(null)).toBe(false);

    task.finish();
    expect(await first).toBe('first');
  });
});

describe('the gate size with the password steps in worker threads (decision 0034)', () => {
  it('is two slots per worker, fixed; SIGN_IN_CONCURRENCY wins; without workers it adapts', () => {
    expect(gateSlots(undefined, 2)).toBe(4);
    expect(gateSlots(undefined, 4)).toBe(8);
    expect(gateSlots(3, 4)).toBe(3);
    expect(gateSlots(undefined, 0)).toBeUndefined();
    expect(defaultGateSize(2, gateSlots(undefined, 2)).maxSlots).toBeUndefined();
    expect(defaultGateSize(2, gateSlots(undefined, 0)).maxSlots).toBe(4);
  });
});
