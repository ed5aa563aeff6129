import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

// Admission control for the password step (P5). A password step is the costly request of a
// sign-in: an argon2id verify (≈ 9 ms of a core and 19 MiB) plus ≈ 15 ms of the event loop's time
// for the limits, the database and the session (under `next start` most of it in a worker thread,
// lib/web/password-step.ts, decision 0032, but the cores are shared all the same). Left alone, every request that arrives starts
// one: past the instance's capacity they all slow down together, each waits seconds, and what
// else the instance serves (code verifies, pages) waits behind them. So:
//
// - at most `slots` password steps run at once. Unless SIGN_IN_CONCURRENCY fixes it, that number
//   adapts to what this instance can take (decision 0027): it starts at one and, every quarter of
//   a second, the gate looks at the event loop over that time: its utilisation (the share of
//   wall-clock time it spent running code rather than waiting) and its lag (how late a timer
//   fired, 99th percentile, in effect the worst of the quarter: code queued ahead, or a CPU too
//   busy to run the thread). Too busy or too late, one slot fewer (never below one); roomy on
//   both while steps waited or were refused, one more (up to two per core, and no more than the
//   threads that hash); nothing running or asked for, one fewer, back towards one. The event
//   loop is what a code verify, a page or a session check waits for, and cores busy hashing
//   delay it too, so this keeps room for them on any machine instead of guessing from the core
//   count (a fixed "cores − 1" left half of a two-core instance idle when only sign-ins came,
//   and could not tell a busy core from a free one). With the steps in worker threads the count
//   is fixed instead, two per worker (signInGateSlots, lib/web/password-step.ts): those run
//   below the request thread's priority, and the adapting count took slots away for the loop
//   time spent refusing (decision 0034);
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
 * `queue`: how many may wait at `slots` slots while nothing has been measured (and always, without
 * `maxWaitMs`); an adaptive gate scales it with the slots it has (the same number per slot).
 * `maxWaitMs`: the longest a waiting step should wait, at the measured pace; sizes the queue.
 */
export type GateSize = {
  /** Slots at the start; all of them, unless `maxSlots` lets the count adapt. */
  slots: number;
  /** Adapts the slot count between `slots` and this by the event loop's utilisation and lag. */
  maxSlots?: number;
  queue: number;
  maxWaitMs?: number;
};

/** The queue's bounds per slot once measured (at least `queue`), and the weight of a new measure. */
const MAX_QUEUE_PER_SLOT = 64;
const SMOOTHING = 0.2;
/** How often an adaptive gate looks at the event loop, and the utilisation it keeps between. */
export const ADJUST_EVERY_MS = 250;
export const LOOP_BUSY_HIGH = 0.75;
export const LOOP_BUSY_LOW = 0.5;
export const LOOP_LAG_HIGH_MS = 20;
export const LOOP_LAG_LOW_MS = 10;

/**
 * The event loop over a span of time: utilisation (0–1) and the 99th percentile of its lag, which
 * over a quarter of a second (about 25 samples) is its worst lag.
 */
export type LoopState = { busy: number; lagMs: number };

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
 * `configured` slots, fixed; unless configured, from one up to two per core, adapting, but no more
 * than the threads that hash (libuv's pool, `threadPool`): more steps than those would only queue
 * for a thread out of sight, ahead of everything else that uses the pool (Web Crypto, zlib, fs).
 * A queue of what the slots finish in `maxWaitMs` (a second unless configured; 0: a fixed eight
 * per slot), eight per slot until measured.
 */
export function defaultGateSize(
  cores: number,
  configured?: number,
  maxWaitMs = 1000,
  threadPool = Number(process.env.UV_THREADPOOL_SIZE) || 4,
): GateSize {
  const fixed = configured !== undefined && configured > 0;
  const slots = fixed ? configured : 1;
  return {
    slots,
    ...(fixed ? {} : { maxSlots: Math.max(2, Math.min(2 * cores, threadPool)) }),
    queue: 8 * slots,
    ...(maxWaitMs > 0 ? { maxWaitMs } : {}),
  };
}

/** Worker threads for password steps (lib/web/password-step.ts): one per core, up to four. */
export function passwordWorkerCount(cores: number): number {
  return Math.min(4, Math.max(1, cores));
}

/**
 * The gate's slots per worker when the password steps run in worker threads, fixed: one step
 * hashing in the worker while another's request-thread part (the form, the session, the answer)
 * runs. One per worker left the workers idle between steps (decision 0034).
 */
export const GATE_SLOTS_PER_WORKER = 2;

/**
 * How many password steps the gate runs at once: `configured` (SIGN_IN_CONCURRENCY) when set;
 * with the steps in `workers` worker threads (0: on the request thread), two per worker, fixed;
 * else `undefined`, adapting to the event loop (decision 0027). The workers run below the request
 * thread's priority, so the operating system already keeps the request thread responsive; the
 * adapting count read the loop time spent refusing the excess as a reason to admit fewer, and
 * left the workers idle in an overload (decision 0034).
 */
export function gateSlots(configured: number | undefined, workers: number): number | undefined {
  if (configured !== undefined) return configured;
  return workers > 0 ? GATE_SLOTS_PER_WORKER * workers : undefined;
}

/** The event loop since the previous call, as Node measures it (the lag sampled every 10 ms). */
export function loopWatch(): () => LoopState {
  let last = performance.eventLoopUtilization();
  const resolutionMs = 10;
  const lag = monitorEventLoopDelay({ resolution: resolutionMs });
  lag.enable();
  return () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    // The histogram holds the time between the timer's runs, the resolution included; before its
    // first sample it holds nothing to read: no lag seen.
    const lagMs = lag.count > 0 ? Math.max(0, lag.percentile(99) / 1e6 - resolutionMs) : 0;
    last = now;
    lag.reset();
    return { busy, lagMs };
  };
}

export type Gate = {
  /** Runs `task` in a slot (waiting in arrival order); refuses with GateFullError when full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** True when every slot is taken and the queue is full: a new step would be refused. */
  full(): boolean;
  /** Steps running and waiting now, how many may wait at the measured pace, and the slots now. */
  load(): { running: number; waiting: number; queueLimit: number; slots: number };
  readonly size: GateSize;
};

/**
 * `clock` in milliseconds; `watch` the event loop since it was last asked (used, and started,
 * only when `size.maxSlots` lets the slot count adapt).
 */
export function createGate(
  size: GateSize,
  clock: () => number = () => performance.now(),
  watch?: () => LoopState,
): Gate {
  const adaptive = size.maxSlots !== undefined && size.maxSlots > size.slots;
  const loop = adaptive ? (watch ?? loopWatch()) : undefined;
  let slots = size.slots;
  let running = 0;
  let stepMs: number | null = null; // moving average of the time a step holds its slot
  let lastLook = clock();
  let pressed = false; // a step waited or was refused since the last look (or still waits)
  const waiting: Array<() => void> = [];
  const adapt = () => {
    if (!loop || clock() - lastLook < ADJUST_EVERY_MS) return;
    const { busy, lagMs } = loop();
    const demand = pressed || waiting.length > 0;
    if (busy > LOOP_BUSY_HIGH || lagMs > LOOP_LAG_HIGH_MS) slots = Math.max(size.slots, slots - 1);
    else if (busy < LOOP_BUSY_LOW && lagMs < LOOP_LAG_LOW_MS && demand)
      slots = Math.min(size.maxSlots!, slots + 1);
    // Idle (nothing running, waiting or refused): one slot back towards the start, so that slots
    // learnt in one burst do not stay for the next, which may meet a busier instance.
    else if (!demand && running === 0) slots = Math.max(size.slots, slots - 1);
    lastLook = clock();
    pressed = false;
    // A slot added lets the next in line start now.
    while (running < slots && waiting.length > 0) {
      running++;
      waiting.shift()!();
    }
  };
  const queueLimit = () => {
    const floor = Math.ceil((size.queue * slots) / size.slots); // the same number per slot
    if (stepMs === null || size.maxWaitMs === undefined) return floor;
    const perSlot = Math.min(MAX_QUEUE_PER_SLOT, Math.floor(size.maxWaitMs / Math.max(stepMs, 1)));
    return Math.max(floor, slots * perSlot);
  };
  const full = () => running >= slots && waiting.length >= queueLimit();
  const release = (startedAt: number) => {
    const took = clock() - startedAt;
    stepMs = stepMs === null ? took : stepMs + SMOOTHING * (took - stepMs);
    const next = running <= slots ? waiting.shift() : undefined;
    if (next)
      next(); // the slot passes straight to the next in line
    else running--; // or is given up, when the slots were fewer meanwhile
    adapt(); // after the hand-off, so that nothing here can keep a slot taken
  };
  return {
    size,
    full: () => {
      adapt();
      const isFull = full();
      if (isFull) pressed = true; // a refusal before the step is read is demand too
      return isFull;
    },
    load: () => ({ running, waiting: waiting.length, queueLimit: queueLimit(), slots }),
    async run(task) {
      adapt();
      if (running < slots) running++;
      else {
        pressed = true; // refused or waiting: demand either way
        if (full()) throw new GateFullError();
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
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

/** The one password-step gate of this process, sized by SIGN_IN_CONCURRENCY (unset: adapting) and SIGN_IN_QUEUE_WAIT_MS. */
export function signInGate(configured?: number, maxWaitMs?: number): Gate {
  const holder = globalThis as GateHolder;
  return (holder[KEY] ??= createGate(
    defaultGateSize(availableParallelism(), configured, maxWaitMs),
  ));
}

/** This process's gate if a password step has made it, without making one (the early refusal). */
export function existingSignInGate(): Gate | undefined {
  return (globalThis as GateHolder)[KEY];
}
