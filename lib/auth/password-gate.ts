import { availableParallelism } from 'node:os';

// Admission control for password hashing (P5). argon2id is the one step of a sign-in that costs
// real CPU (≈ 9 ms and 19 MiB a verify); left alone, every request in flight starts one on the
// libuv pool, the hashes take every core, and everything else the instance serves (code verifies,
// pages) waits behind them. So:
//
// - at most `slots` hashes run at once (cores − 1, at least 1), leaving a core to the event loop;
// - up to `queue` more wait their turn, in arrival order;
// - beyond that the instance is full: proxy.ts answers the next `POST /login` with 503 and
//   `Retry-After` before any work is done, instead of letting the excess queue for seconds.
//
// Capacity is a property of the instance, not of a caller, so this is a per-process gate, not a
// rate limit (those live in lib/rate-limit and count failures per address and account). The
// state sits on globalThis so the proxy and the server bundles of the same process share it.
// No `server-only` here: proxy.ts imports it, and it holds nothing secret.

export type GateState = { running: number; waiting: Array<() => void> };
export type GateSize = { slots: number; queue: number };

const KEY = Symbol.for('latchkey.password-gate');

/** The process's gate, sized from its cores unless PASSWORD_HASH_SLOTS says otherwise. */
export function defaultGateSize(cores = availableParallelism(), configured = process.env.PASSWORD_HASH_SLOTS): GateSize {
  const fromEnv = Number(configured);
  const slots = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.max(1, cores - 1);
  return { slots, queue: 2 * Math.max(slots, cores) };
}

export type PasswordGate = {
  /** Runs `task` when a slot is free (waiting in arrival order), releasing it however `task` ends. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** True when every slot is taken and the queue is full: a new password check should be refused. */
  full(): boolean;
  /** Hashes running and waiting now, for tests and diagnostics. */
  load(): { running: number; waiting: number };
  readonly size: GateSize;
};

export function createPasswordGate(size: GateSize, state: GateState = { running: 0, waiting: [] }): PasswordGate {
  const release = () => {
    const next = state.waiting.shift();
    if (next) next(); // the slot passes straight to the next in line
    else state.running--;
  };
  return {
    size,
    async run(task) {
      if (state.running < size.slots) state.running++;
      else await new Promise<void>((resolve) => state.waiting.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
    full: () => state.running >= size.slots && state.waiting.length >= size.queue,
    load: () => ({ running: state.running, waiting: state.waiting.length }),
  };
}

type GateHolder = { [KEY]?: PasswordGate };

/** The one gate of this process. */
export function passwordGate(): PasswordGate {
  const holder = globalThis as GateHolder;
  return (holder[KEY] ??= createPasswordGate(defaultGateSize()));
}
