import { describe, expect, it, vi } from 'vitest';
import { createGate, defaultGateSize, GateFullError, isGateFullError } from './sign-in-gate';

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
  it('sizes itself with one slot per core but one, or SIGN_IN_CONCURRENCY, a second of waiting, and eight per slot until measured', () => {
    expect(defaultGateSize(2)).toEqual({ slots: 1, queue: 8, maxWaitMs: 1000 });
    expect(defaultGateSize(8)).toEqual({ slots: 7, queue: 56, maxWaitMs: 1000 });
    expect(defaultGateSize(1, undefined)).toEqual({ slots: 1, queue: 8, maxWaitMs: 1000 });
    expect(defaultGateSize(2, 6)).toEqual({ slots: 6, queue: 48, maxWaitMs: 1000 });
    expect(defaultGateSize(2, undefined, 250)).toEqual({ slots: 1, queue: 8, maxWaitMs: 250 });
    expect(defaultGateSize(2, undefined, 0)).toEqual({ slots: 1, queue: 8 }); // fixed queue
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
