import 'server-only';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { env } from '@/lib/env';
import { handOver, type Handoff } from '@/lib/auth/login-ticket';
import type { TimedAuditEvent } from '@/lib/auth/session-record';
import { submitPassword, type PasswordResult } from '@/lib/auth/sign-in';
import { getSignInDeps } from '@/lib/web/wiring';

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
export const PASSWORD_WORKERS = Math.min(4, Math.max(1, availableParallelism()));

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
  if (!holder[WORKERS]) {
    holder[WORKERS] = startPasswordWorkers();
    console.log(
      `sign-in: password steps run in ${PASSWORD_WORKERS} worker thread(s) (SIGN_IN_THREAD=${env.SIGN_IN_THREAD})`,
    );
  }
  return holder[WORKERS].run(input);
}

const WORKERS = Symbol.for('latchkey.passwordWorkers');
const holder = globalThis as typeof globalThis & { [WORKERS]?: PasswordWorkers };

export type PasswordWorkers = {
  /** The step in the worker with the fewest steps in hand; rejects when that worker fails. */
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
 * `count` workers, each started at its first step and replaced at the next after it stopped.
 * `fromSource`: a program that runs password-step-worker.ts from source, with the options it needs
 * (the tests'); the build bundles the program otherwise.
 */
export function startPasswordWorkers(
  options: { count?: number; fromSource?: { program: URL; execArgv: string[] } } = {},
): PasswordWorkers {
  const workers: (OneWorker | undefined)[] = Array.from(
    { length: options.count ?? PASSWORD_WORKERS },
    () => undefined,
  );
  const at = (slot: number): OneWorker => {
    const existing = workers[slot];
    if (existing) return existing;
    const started = startWorker(options.fromSource, () => {
      if (workers[slot] === started) workers[slot] = undefined;
    });
    workers[slot] = started;
    return started;
  };
  return {
    async run(input) {
      let chosen = at(0);
      for (let slot = 1; slot < workers.length; slot++) {
        const candidate = at(slot);
        if (candidate.inHand < chosen.inHand) chosen = candidate;
      }
      const reply = await chosen.call(input);
      if ('error' in reply)
        throw new Error(`the password step failed in its worker: ${reply.error}`);
      if (reply.handoff && reply.result.ok)
        handOver(reply.result.ticketId, reply.handoff, Date.now());
      return reply.result;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker?.stop()));
    },
  };
}

function startWorker(
  fromSource: { program: URL; execArgv: string[] } | undefined,
  onStop: () => void,
): OneWorker {
  const name = 'latchkey password steps';
  const worker = fromSource
    ? new Worker(fromSource.program, { name, execArgv: fromSource.execArgv })
    : new Worker(new URL('./password-step-worker.ts', import.meta.url), { name });
  // The server's own handles keep the process alive; these threads must not keep it from exiting.
  worker.unref();
  const pending = new Map<number, (reply: PasswordStepReply) => void>();
  let nextId = 1;
  worker.on('message', (reply: PasswordStepReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const stopped = (why: string) => {
    onStop();
    for (const [id, resolve] of pending) resolve({ id, error: why });
    pending.clear();
  };
  worker.on('error', (error) => {
    console.error('sign-in: a password worker failed', error);
    stopped(`worker error: ${error.message}`);
  });
  worker.on('exit', (code) => stopped(`worker exited with ${code}`));
  return {
    call: (input) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        worker.postMessage({ id, input } satisfies PasswordStepRequest);
      }),
    get inHand() {
      return pending.size;
    },
    stop: () => worker.terminate(),
  };
}
