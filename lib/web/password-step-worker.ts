import '@/lib/web/worker-globals';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { checkPasswordOnThisThread, prepareDummyHash } from '@/lib/auth/password';
import { takeHandoff } from '@/lib/auth/login-ticket';
import type { TimedAuditEvent } from '@/lib/auth/session-record';
import { submitPassword } from '@/lib/auth/sign-in';
import type { SignInDeps } from '@/lib/auth/sign-in-types';
import { getSignInDeps } from '@/lib/web/wiring';
import { PASSWORD_WORKER_NICE } from '@/lib/web/password-step-worker-nice';
import type { PasswordStepReply, PasswordStepRequest } from '@/lib/web/password-step';

// A password-step worker thread (lib/web/password-step.ts, decision 0032): one message in,
// `submitPassword` with this thread's own wiring (database pool, store client, limits), one reply
// out. Several steps may be in hand at once, as on the request thread; the request thread's
// sign-in gate decides how many.

if (!parentPort) throw new Error('password-step-worker.ts runs as a worker thread');
const port: MessagePort = parentPort;

lowerThisThreadsPriority();
// The dummy hash an unknown name is checked against is made now, not in the first such step,
// which would otherwise take twice as long as a wrong password (PW-10).
void prepareDummyHash();
port.on('message', (request: PasswordStepRequest) => void answer(request));

async function answer({ id, input }: PasswordStepRequest): Promise<void> {
  // There is no request here for `after()`: work the step defers waits until its reply is sent.
  const deferred: (() => Promise<void>)[] = [];
  let reply: PasswordStepReply;
  try {
    const base = getSignInDeps();
    const deps: SignInDeps = {
      ...base,
      // The hash on this thread, at its priority, rather than on libuv's pool at the process's.
      passwords: { ...base.passwords, check: checkPasswordOnThisThread },
      defer: (task) => void deferred.push(task),
    };
    const result = await submitPassword(deps, input);
    const handoff =
      result.ok && result.next === 'session'
        ? takeHandoff<TimedAuditEvent>(result.ticketId, deps.now())
        : null;
    reply = {
      id,
      result,
      handoff: handoff && {
        userId: handoff.userId,
        method: handoff.method,
        events: handoff.events,
      },
    };
  } catch (error) {
    console.error('sign-in: password step failed in its worker', error);
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  try {
    port.postMessage(reply);
  } catch (error) {
    port.postMessage({
      id,
      error: `reply not sent: ${error instanceof Error ? error.message : error}`,
    });
  }
  for (const task of deferred)
    task().catch((error) => console.error('deferred work failed', error));
}

/**
 * Linux: `/proc/thread-self` names this thread's id, and setpriority() on a thread id changes that
 * thread alone. Elsewhere, or if refused, the thread keeps the process's priority (and says so).
 */
function lowerThisThreadsPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(threadId) || threadId <= 0) throw new Error('no thread id');
    setPriority(threadId, PASSWORD_WORKER_NICE);
  } catch (error) {
    console.warn(
      `sign-in: a password worker runs at the process's priority (${error instanceof Error ? error.message : error})`,
    );
  }
}
