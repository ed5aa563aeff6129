import { availableParallelism } from 'node:os';

// Admission control for the password step (P5). A password step is the costly request of a
// sign-in: an argon2id verify (≈ 9 ms of a core and 19 MiB) plus ≈ 15 ms of the event loop's time
// for the limits, the database and the session. Left alone, every request that arrives starts
// one: past the instance's capacity they all slow down together, each waits seconds, and what
// else the instance serves (code verifies, pages) waits behind them. So:
//
// - at most `slots` password steps run at once (SIGN_IN_CONCURRENCY, default: one per core but
//   one, at least one), so a core is left to everything else the instance serves;
// - more wait their turn, in arrival order: as many as the slots finish within `maxWaitMs` (one
//   second by default) at the pace measured on this instance (a moving average of the time a step
//   holds its slot), between eight and 64 per slot (eight until a step has been measured: slow
//   steps never shrink the queue below what it always held).
//   A fixed count threw capacity away when sign-ins come in bursts (a burst larger than the queue
//   was refused although the instance could have served it within the second);
// - beyond that the instance is full and the step is refused at once, before anything is read
//   or counted: the password step's route handler (app/(auth)/login/password/route.ts) answers a
//   form post with 503 + Retry-After, and the form's script with "busy, try again" (a refusal
//   inside `run` is `GateFullError`, told by `isGateFullError`).
//
// Capacity is a property of the instance, not of a caller, so this is a per-process gate, not a
// rate limit (those count failures per address and account, lib/rate-limit). The state sits on
// globalThis so that every bundle that imports this module (Next.js bundles route handlers,
// actions and the proxy apart) shares one gate. It holds nothing secret.

/**
 * `queue`: how many may wait while nothing has been measured (and always, without `maxWaitMs`).
 * `maxWaitMs`: the longest a waiting step should wait, at the measured pace; sizes the queue.
 */
export type GateSize = { slots: number; queue: number; maxWaitMs?: number };

/** The queue's bounds per slot once measured (at least `queue`), and the weight of a new measure. */
const MAX_QUEUE_PER_SLOT = 64;
const SMOOTHING = 0.2;

const FULL = Symbol.for('latchkey.sign-in-gate.full');

/** Refused: every slot is busy and the queue is full. */
export class GateFullError extends Error {
  readonly [FULL] = true;
  constructor() {
    super('too many password steps in progress on this instance');
    this.name = 'GateFullError';
  }
}

/**
 * True for a refusal of the gate. Not `instanceof`: bundles built apart each have their own copy
 * of this module, and the one gate on globalThis throws the class of whichever copy created it.
 */
export function isGateFullError(error: unknown): error is GateFullError {
  return (
    typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[FULL] === true
  );
}

/**
 * One slot per core but one (at least one) unless configured; a queue of what the slots finish in
 * `maxWaitMs` (a second unless configured; 0: a fixed eight per slot), eight per slot until measured.
 */
export function defaultGateSize(cores: number, configured?: number, maxWaitMs = 1000): GateSize {
  const slots = configured && configured > 0 ? configured : Math.max(1, cores - 1);
  return { slots, queue: 8 * slots, ...(maxWaitMs > 0 ? { maxWaitMs } : {}) };
}

export type Gate = {
  /** Runs `task` in a slot (waiting in arrival order); refuses with GateFullError when full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** True when every slot is taken and the queue is full: a new step would be refused. */
  full(): boolean;
  /** Steps running and waiting now, and how many may wait at the measured pace. */
  load(): { running: number; waiting: number; queueLimit: number };
  readonly size: GateSize;
};

export function createGate(size: GateSize, clock: () => number = () => performance.now()): Gate {
  let running = 0;
  let stepMs: number | null = null; // moving average of the time a step holds its slot
  const waiting: Array<() => void> = [];
  const queueLimit = () => {
    if (stepMs === null || size.maxWaitMs === undefined) return size.queue;
    const perSlot = Math.min(MAX_QUEUE_PER_SLOT, Math.floor(size.maxWaitMs / Math.max(stepMs, 1)));
    return Math.max(size.queue, size.slots * perSlot);
  };
  const full = () => running >= size.slots && waiting.length >= queueLimit();
  const release = (startedAt: number) => {
    const took = clock() - startedAt;
    stepMs = stepMs === null ? took : stepMs + SMOOTHING * (took - stepMs);
    const next = waiting.shift();
    if (next)
      next(); // the slot passes straight to the next in line
    else running--;
  };
  return {
    size,
    full,
    load: () => ({ running, waiting: waiting.length, queueLimit: queueLimit() }),
    async run(task) {
      if (running < size.slots) running++;
      else if (full()) throw new GateFullError();
      else await new Promise<void>((resolve) => waiting.push(resolve));
      const startedAt = clock();
      try {
        return await task();
      } finally {
        release(startedAt);
      }
    },
  };
}

const KEY = Symbol.for('latchkey.sign-in-gate');
type GateHolder = { [KEY]?: Gate };

/** The one password-step gate of this process, sized by SIGN_IN_CONCURRENCY and SIGN_IN_QUEUE_WAIT_MS. */
export function signInGate(configured?: number, maxWaitMs?: number): Gate {
  const holder = globalThis as GateHolder;
  return (holder[KEY] ??= createGate(
    defaultGateSize(availableParallelism(), configured, maxWaitMs),
  ));
}
