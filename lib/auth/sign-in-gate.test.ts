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
  it('sizes itself with one slot per core but one, or SIGN_IN_CONCURRENCY, and a queue of eight per slot', () => {
    expect(defaultGateSize(2)).toEqual({ slots: 1, queue: 8 });
    expect(defaultGateSize(8)).toEqual({ slots: 7, queue: 56 });
    expect(defaultGateSize(1, undefined)).toEqual({ slots: 1, queue: 8 });
    expect(defaultGateSize(2, 6)).toEqual({ slots: 6, queue: 48 });
  });

  it('runs at most `slots` tasks at once and starts the waiting ones in arrival order', async () => {
    const gate = createGate({ slots: 2, queue: 10 });
    const tasks = [held('a'), held('b'), held('c'), held('d')];
    const results = tasks.map((t) => gate.run(t.task));
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([true, true, false, false]);
    expect(gate.load()).toEqual({ running: 2, waiting: 2 });

    tasks[1]!.finish();
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, false]);
    expect(gate.load()).toEqual({ running: 2, waiting: 1 });

    tasks[0]!.finish();
    tasks[2]!.finish();
    tasks[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('is full only when every slot is taken and the queue is full, and then refuses at once', async () => {
    const gate = createGate({ slots: 1, queue: 2 });
    const tasks = [held(1), held(2), held(3)];
    expect(gate.full()).toBe(false);
    const results = tasks.map((t) => gate.run(t.task));
    await settle();
    expect(gate.load()).toEqual({ running: 1, waiting: 2 });
    expect(gate.full()).toBe(true);

    let ran = false;
    await expect(gate.run(async () => void (ran = true))).rejects.toBeInstanceOf(GateFullError);
    expect(ran).toBe(false);
    expect(gate.load()).toEqual({ running: 1, waiting: 2 });

    tasks[0]!.finish();
    await settle();
    expect(gate.full()).toBe(false);
    tasks[1]!.finish();
    tasks[2]!.finish();
    expect(await Promise.all(results)).toEqual([1, 2, 3]);
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('releases the slot when a task fails, so a throwing hash never wedges the gate', async () => {
    const gate = createGate({ slots: 1, queue: 1 });
    await expect(gate.run(async () => Promise.reject(new Error('malformed hash')))).rejects.toThrow(
      'malformed hash',
    );
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
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
