// A password-step worker that claims a proof it does not have: a step that still needs a code
// (`next: 'method'`) sent with a handoff. Its ticket id and user id are what the test typed as
// username and password.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', ({ id, input }) =>
  parentPort.postMessage({
    id,
    result: { ok: true, ticketId: input.username, next: 'method' },
    handoff: { userId: input.password, method: 'password-only', events: [] },
  }),
);
