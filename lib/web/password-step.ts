import 'server-only';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { env } from '@/lib/env';
import { handOver, type Handoff } from '@/lib/auth/login-ticket';
import type { TimedAuditEvent } from '@/lib/auth/session-record';
import { submitPassword, type PasswordResult } from '@/lib/auth/sign-in';
import { getSignInDeps } from '@/lib/web/wiring';
import { gateSlots, passwordWorkerCount } from '@/lib/auth/sign-in-gate';

// The password step on threads of its own (decision 0032). A login is the costliest request there
// is: argon2id plus several milliseconds of JavaScript for the limits, the database and the
// device. On the request thread that JavaScript queued in front of every code verify and page the
// instance served, and the hash took a core from them at the same priority, so under a rush of
// sign-ins the sign-in gate had to hold logins back to keep verifies fast, and goodput fell.
//
// Here each password step runs `submitPassword` in a worker thread (its own event loop, database
// pool and store client, the same wiring), which computes the hash on itself and runs below the
// request thread's priority: when the cores are busy, the request thread (verifies, pages, the
// session) goes first, and the logins take what is left. Only the form, the gate, the session and
// the answer stay on the request thread. A proven sign-in's in-process handoff
// (lib/auth/login-ticket.ts) comes back with the result and is handed over here, where the
// Credentials provider takes it; work the step defers (the lockout email) runs in the worker
// after its answer.

export type PasswordStepInput = Parameters<typeof submitPassword>[1];
export type PasswordStepRequest = { id: number; input: PasswordStepInput };
export type PasswordStepReply =
  | {
      id: number;
      result: PasswordResult;
      handoff: Omit<Handoff<TimedAuditEvent>, 'expiresAt'> | null;
    }
  | { id: number; error: string };

/** One worker per core, up to four: each hashes on its own thread, so this many hash at once. */
export const PASSWORD_WORKERS = passwordWorkerCount(availableParallelism());

/** The sign-in gate's slots for this server (gateSlots in lib/auth/sign-in-gate.ts, decision 0034). */
export function signInGateSlots(
  config: Parameters<typeof passwordStepInWorker>[0] &
    Pick<typeof env, 'SIGN_IN_CONCURRENCY'> = env,
  workers = PASSWORD_WORKERS,
): number | undefined {
  return gateSlots(config.SIGN_IN_CONCURRENCY, passwordStepInWorker(config) ? workers : 0);
}

/** True when password steps run in workers: configured so, or `auto` on a server that suits them. */
export function passwordStepInWorker(
  config: Pick<
    typeof env,
    'SIGN_IN_THREAD' | 'NODE_ENV' | 'UPSTASH_REDIS_REST_URL' | 'DATABASE_POOL_MAX' | 'VERCEL'
  > = env,
): boolean {
  if (config.SIGN_IN_THREAD !== 'auto') return config.SIGN_IN_THREAD === 'worker';
  // Not for `next dev` and tests (a worker would keep old code across reloads), without Upstash
  // (the in-process store: a worker would have its own, and a ticket it wrote would not be found
  // here), for a
  // one-connection database (the embedded one, decision 0031: a second connection corrupts it),
  // or Vercel, where an instance is a function that scales out rather than a long-lived server,
  // and threads would cost every cold start.
  return (
    config.NODE_ENV === 'production' &&
    !!config.UPSTASH_REDIS_REST_URL &&
    config.DATABASE_POOL_MAX !== 1 &&
    config.VERCEL !== '1'
  );
}

/** The password step, in a worker or on this thread (see passwordStepInWorker). */
export function runPasswordStep(input: PasswordStepInput): Promise<PasswordResult> {
  if (!passwordStepInWorker()) return submitPassword(getSignInDeps(), input);
  return (holder[WORKERS] ??= startPasswordWorkers()).run(input);
}

const WORKERS = Symbol.for('latchkey.passwordWorkers');
const holder = globalThis as typeof globalThis & { [WORKERS]?: PasswordWorkers };

/** Each worker's own `pg` pool: at most this many connections (a step uses one at a time). */
export const WORKER_POOL_MAX = 4;
/** A step with no answer by then fails, and its worker, stuck, is replaced. */
export const STEP_DEADLINE_MS = 30_000;
/** Workers that stop in a row before answering anything: then the steps run on this thread. */
export const FAILED_STARTS_BEFORE_INLINE = 3;

/** A program that runs password-step-worker.ts from source, with the options it needs (tests). */
export type WorkerSource = { program: URL; execArgv: string[] };

export type PasswordWorkers = {
  /**
   * The step in a worker: the least busy one, or a new one while some are not started and every
   * started one has a step in hand. Rejects when its worker fails or does not answer in time.
   */
  run(input: PasswordStepInput): Promise<PasswordResult>;
  /** Stops every worker (tests; a server just exits). */
  close(): Promise<void>;
};

type OneWorker = {
  call(input: PasswordStepInput): Promise<PasswordStepReply>;
  readonly inHand: number;
  stop(): Promise<number>;
};

/**
 * Up to `count` workers, started as steps need them and replaced after one stops. Should workers
 * keep failing before they answer anything (a broken build or configuration), steps run on this
 * thread instead, as with SIGN_IN_THREAD=inline, and the server says so.
 */
export function startPasswordWorkers(
  options: { count?: number; fromSource?: WorkerSource; deadlineMs?: number } = {},
): PasswordWorkers {
  const workers: (OneWorker | undefined)[] = Array.from(
    { length: options.count ?? PASSWORD_WORKERS },
    () => undefined,
  );
  let failedStarts = 0;
  let answered = false;
  const start = (slot: number): OneWorker => {
    let answeredHere = false;
    const started = startWorker(options, {
      onAnswer: () => {
        answeredHere = true;
        failedStarts = 0;
        if (!answered)
          console.log(
            `sign-in: password steps run in worker threads (up to ${workers.length}, SIGN_IN_THREAD=${env.SIGN_IN_THREAD})`,
          );
        answered = true;
      },
      onStop: () => {
        if (workers[slot] === started) workers[slot] = undefined;
        if (!answeredHere && ++failedStarts === FAILED_STARTS_BEFORE_INLINE)
          console.error(
            `sign-in: ${FAILED_STARTS_BEFORE_INLINE} password workers in a row stopped before answering; password steps now run on the request thread`,
          );
      },
    });
    workers[slot] = started;
    return started;
  };
  const pick = (): OneWorker => {
    let chosen: OneWorker | undefined;
    let empty = -1;
    for (const [slot, worker] of workers.entries()) {
      if (!worker) empty = empty < 0 ? slot : empty;
      else if (!chosen || worker.inHand < chosen.inHand) chosen = worker;
    }
    if (chosen && (chosen.inHand === 0 || empty < 0)) return chosen;
    return start(empty);
  };
  return {
    async run(input) {
      if (failedStarts >= FAILED_STARTS_BEFORE_INLINE)
        return submitPassword(getSignInDeps(), input);
      const reply = await pick().call(input);
      if ('error' in reply)
        throw new Error(`the password step failed in its worker: ${reply.error}`);
      // Only a step that proved the sign-in hands a proof over (SE-03).
      if (reply.handoff && reply.result.ok && reply.result.next === 'session')
        handOver(reply.result.ticketId, reply.handoff, Date.now());
      return reply.result;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker?.stop()));
    },
  };
}

function startWorker(
  options: { fromSource?: WorkerSource; deadlineMs?: number },
  on: { onAnswer(): void; onStop(): void },
): OneWorker {
  const settings = {
    name: 'latchkey password steps',
    // Its own pool, smaller: the gate lets only a few steps run at once across the workers.
    env: {
      ...process.env,
      DATABASE_POOL_MAX: String(
        Math.min(env.DATABASE_POOL_MAX ?? WORKER_POOL_MAX, WORKER_POOL_MAX),
      ),
    },
  };
  const worker = options.fromSource
    ? new Worker(options.fromSource.program, {
        ...settings,
        execArgv: options.fromSource.execArgv,
      })
    : new Worker(new URL('./password-step-worker.ts', import.meta.url), settings);
  // The server's own handles keep the process alive; these threads must not keep it from exiting.
  worker.unref();
  const deadlineMs = options.deadlineMs ?? STEP_DEADLINE_MS;
  const pending = new Map<
    number,
    { resolve(reply: PasswordStepReply): void; timer: NodeJS.Timeout }
  >();
  let nextId = 1;
  let stopped = false;
  const answer = (reply: PasswordStepReply) => {
    const call = pending.get(reply.id);
    if (!call) return;
    clearTimeout(call.timer);
    pending.delete(reply.id);
    call.resolve(reply);
  };
  // Every step in hand fails with the reason, the thread is ended, and the slot freed.
  const stop = (why: string) => {
    if (!stopped) {
      stopped = true;
      on.onStop();
      void worker.terminate();
    }
    for (const id of [...pending.keys()]) answer({ id, error: why });
  };
  worker.on('message', (reply: PasswordStepReply) => {
    on.onAnswer();
    answer(reply);
  });
  worker.on('messageerror', (error) => stop(`unreadable reply: ${error.message}`));
  worker.on('error', (error) => {
    console.error('sign-in: a password worker failed', error);
    stop(`worker error: ${error.message}`);
  });
  worker.on('exit', (code) => stop(`worker exited with ${code}`));
  return {
    call: (input) =>
      new Promise((resolve) => {
        const id = nextId++;
        const timer = setTimeout(() => stop(`no answer within ${deadlineMs / 1000} s`), deadlineMs);
        timer.unref();
        pending.set(id, { resolve, timer });
        worker.postMessage({ id, input } satisfies PasswordStepRequest);
      }),
    get inHand() {
      return pending.size;
    },
    stop: () => worker.terminate(),
  };
}
