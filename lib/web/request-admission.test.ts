import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PASSWORD_STEP_PATH } from '@/app/(auth)/login/password-form-name';
import {
  createAdmission,
  defaultAdmissionLimit,
  pathsExempt,
  type Admission,
} from './request-admission';

// Request admission (decision 0035) on real HTTP servers and sockets.

type Held = {
  path: string;
  at: number;
  /** What the app's AsyncLocalStorage held when the request started (see `context`). */
  store: unknown;
  response: http.ServerResponse;
  /** Answers, inside an app context of the request's own (as Next.js answers inside its store). */
  answer: (body?: string) => void;
};

const context = new AsyncLocalStorage<string>();

const servers: http.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server whose requests go through `admission` and are held until the test answers them. */
async function heldServer(admission: Admission) {
  const started: Held[] = [];
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const server = http.createServer((request, response) =>
    admission.admit(request, response, (req) => {
      // Read the whole body (a slow one arrives while the request runs), then hold the answer.
      req.resume();
      const path = req.url ?? '';
      started.push({
        path,
        at: performance.now(),
        store: context.getStore(),
        response,
        answer: (body = 'ok') =>
          response.writableEnded || context.run(`app context of ${path}`, () => response.end(body)),
      });
      wake();
    }),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  /** Resolves once `count` requests have started. */
  const startedCount = async (count: number) => {
    while (started.length < count) await new Promise<void>((w) => waiters.push(w));
  };
  /** Resolves once the admission has seen `count` requests (started or waiting). */
  const seen = async (count: number) => {
    while (started.length + admission.load().waiting < count)
      await new Promise((resolve) => setTimeout(resolve, 2));
  };
  return { port, started, startedCount, seen };
}

/** A request, sent at once; `answer` resolves with the body (or rejects if the socket fails). */
function send(port: number, path: string, body?: string) {
  const request = http.request({
    host: '127.0.0.1',
    port,
    path,
    method: body === undefined ? 'GET' : 'POST',
    agent: false,
    headers: body === undefined ? {} : { 'content-length': Buffer.byteLength(body) },
  });
  const answer = new Promise<string>((resolve, reject) => {
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(text));
    });
    request.on('error', reject);
  });
  answer.catch(() => {});
  if (body !== undefined) request.end(body);
  else request.end();
  return { request, answer };
}

/**
 * One slot (`limit: 1`, nothing released by time unless `options` say so), taken by a request
 * to /held that the test answers when it wants: the setup of most rules below.
 */
async function oneSlotHeld(options: { holdMs?: number; maxWaitMs?: number } = {}) {
  const admission = createAdmission({ limit: 1, holdMs: 60_000, maxWaitMs: 60_000, ...options });
  const server = await heldServer(admission);
  const held = send(server.port, '/held');
  await server.startedCount(1);
  return { admission, held, ...server };
}

/** A raw connection that writes `text` and never reads what comes back. */
async function rawClient(port: number, text: string) {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.pause(); // reads nothing: the server's writes back up
  socket.write(text);
  return socket;
}

/** Lets the server's event loop run a few turns (sockets connect, parsers run, setImmediate). */
const turns = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('request admission (decision 0035)', () => {
  it('runs at most `limit` requests at once and starts the rest in the order they came', async () => {
    const admission = createAdmission({ limit: 2, holdMs: 60_000, maxWaitMs: 60_000 });
    const { port, started, startedCount, seen } = await heldServer(admission);
    const answers = [];
    for (const [i, path] of ['/1', '/2', '/3', '/4', '/5'].entries()) {
      answers.push(send(port, path).answer);
      await seen(i + 1); // arrive in this order
    }
    await startedCount(2);
    await turns();
    expect(started.map((h) => h.path)).toEqual(['/1', '/2']);
    expect(admission.load()).toEqual({ counted: 2, waiting: 3 });

    started[1]!.answer();
    await startedCount(3);
    started[0]!.answer();
    await startedCount(4);
    await turns();
    expect(started.map((h) => h.path)).toEqual(['/1', '/2', '/3', '/4']);
    started[2]!.answer();
    await startedCount(5);
    for (const held of started.slice(3)) held.answer();
    expect(await Promise.all(answers)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(admission.load()).toEqual({ counted: 0, waiting: 0 });
  });

  it('a request started from the queue runs in its own async context, not in that of the request whose slot it took', async () => {
    const admission = createAdmission({ limit: 1, holdMs: 60_000, maxWaitMs: 60_000 });
    const { port, started, startedCount, seen } = await heldServer(admission);
    send(port, '/first');
    await startedCount(1);
    send(port, '/second');
    await seen(2);
    started[0]!.answer(); // inside "app context of /first"; the slot goes to /second
    await startedCount(2);
    expect(started[0]!.store).toBeUndefined();
    expect(started[1]!.store).toBeUndefined();
    started[1]!.answer();
  });

  it('a form post whose body came with its headers waits its turn like any request', async () => {
    const admission = createAdmission({ limit: 1, holdMs: 60_000, maxWaitMs: 60_000 });
    const { port, started, startedCount, seen } = await heldServer(admission);
    const first = send(port, '/first');
    await startedCount(1);
    const post = send(port, '/form', 'code=123456');
    await seen(2);
    await turns();
    expect(started.map((h) => h.path)).toEqual(['/first']);
    expect(admission.load().waiting).toBe(1);
    started[0]!.answer();
    await startedCount(2);
    started[1]!.answer('posted');
    expect(await post.answer).toBe('posted');
    await first.answer;
  });

  it('a request stops counting after holdMs, so a slow one does not hold up the next for longer', async () => {
    const admission = createAdmission({ limit: 1, holdMs: 80, maxWaitMs: 60_000 });
    const { port, started, startedCount } = await heldServer(admission);
    const slow = send(port, '/slow');
    await startedCount(1);
    const next = send(port, '/next');
    await startedCount(2); // while /slow is still unanswered
    expect(started.map((h) => h.path)).toEqual(['/slow', '/next']);
    // It waited for the hold to end, not less.
    expect(started[1]!.at - started[0]!.at).toBeGreaterThanOrEqual(75);
    started[1]!.answer();
    started[0]!.answer();
    await Promise.all([slow.answer, next.answer]);
    expect(admission.load()).toEqual({ counted: 0, waiting: 0 });
  });

  it('a client slow to read its answer holds no slot: the slot is freed when the socket pushes back', async () => {
    const admission = createAdmission({ limit: 1, holdMs: 60_000, maxWaitMs: 60_000 });
    const { port, started, startedCount, seen } = await heldServer(admission);
    await rawClient(port, 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    await startedCount(1);
    send(port, '/next');
    await seen(2);
    await turns();
    expect(admission.load()).toEqual({ counted: 1, waiting: 1 });
    // 16 MiB to a client that reads nothing: write() soon returns false.
    const big = started[0]!.response;
    big.writeHead(200, { 'content-length': String(16 * 2 ** 20) });
    let flowing = true;
    while (flowing) flowing = big.write(Buffer.alloc(2 ** 20));
    await startedCount(2);
    expect(started[1]!.path).toBe('/next');
    expect(big.writableFinished).toBe(false);
    started[1]!.answer();
  });

  it('a request pipelined behind an unfinished answer on its connection starts at once and takes no slot', async () => {
    const { port, started, startedCount, seen, admission } = await oneSlotHeld();
    // Two requests in one write: the second has no socket to answer on until the first is done.
    await rawClient(port, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    await seen(3);
    await turns();
    // /a waits for /held's slot; /b, pipelined behind /a, is not counted and not queued.
    expect(started.map((h) => h.path)).toEqual(['/held', '/b']);
    expect(admission.load()).toEqual({ counted: 1, waiting: 1 });
    started[0]!.answer();
    await startedCount(3);
    expect(started[2]!.path).toBe('/a');
  });

  it('a counted request whose client goes away frees its slot', async () => {
    const { port, started, startedCount, seen, held } = await oneSlotHeld();
    send(port, '/waits');
    await seen(2);
    await turns();
    expect(started.map((h) => h.path)).toEqual(['/held']);
    held.request.destroy();
    await startedCount(2);
    expect(started[1]!.path).toBe('/waits');
    started[1]!.answer();
  });

  it('a request that has waited maxWaitMs starts without counting: a queue that cannot drain does not grow', async () => {
    const { port, started, startedCount, seen, admission } = await oneSlotHeld({ maxWaitMs: 60 });
    send(port, '/late');
    await seen(2);
    await startedCount(2);
    expect(started[1]!.path).toBe('/late');
    expect(started[1]!.at - started[0]!.at).toBeGreaterThanOrEqual(55);
    expect(admission.load()).toEqual({ counted: 1, waiting: 0 });
    for (const h of started) h.answer();
  });

  it('exempt requests start at once and take no slot', async () => {
    const admission = createAdmission({
      limit: 1,
      holdMs: 60_000,
      maxWaitMs: 60_000,
      exempt: pathsExempt([PASSWORD_STEP_PATH]),
    });
    const { port, started, startedCount, seen } = await heldServer(admission);
    send(port, '/held');
    await startedCount(1);
    send(port, '/login/password?from=test');
    await startedCount(2);
    send(port, '/waits');
    await seen(3);
    await turns();
    expect(started.map((h) => h.path)).toEqual(['/held', '/login/password?from=test']);
    expect(admission.load()).toEqual({ counted: 1, waiting: 1 });
    started[0]!.answer();
    await startedCount(3);
    for (const held of started) held.answer();
  });

  it('a request whose body is still arriving starts at once and takes no slot', async () => {
    const { port, started, startedCount, seen, admission } = await oneSlotHeld();
    // Headers and the first bytes of a 20-byte body; the rest comes later.
    const slow = http.request({
      host: '127.0.0.1',
      port,
      path: '/slow-body',
      method: 'POST',
      agent: false,
      headers: { 'content-length': 20 },
    });
    slow.on('error', () => {});
    slow.write('0123456789');
    await startedCount(2);
    expect(admission.load()).toEqual({ counted: 1, waiting: 0 });
    // It holds no slot: a complete request still waits for /held, not for the slow body.
    send(port, '/waits');
    await seen(3);
    await turns();
    expect(started.map((h) => h.path)).toEqual(['/held', '/slow-body']);
    started[0]!.answer();
    await startedCount(3);
    expect(started[2]!.path).toBe('/waits');
    slow.end('0123456789');
    for (const held of started) held.answer();
  });

  it('a waiting request whose client went away is never started', async () => {
    const { port, started, startedCount, seen, admission } = await oneSlotHeld();
    const gone = send(port, '/gone');
    await seen(2);
    expect(admission.load().waiting).toBe(1);
    gone.request.destroy();
    await turns();
    const after = send(port, '/after');
    await seen(3);
    started[0]!.answer();
    await startedCount(2);
    await turns();
    expect(started.map((h) => h.path)).toEqual(['/held', '/after']);
    started[1]!.answer();
    expect(await after.answer).toBe('ok');
  });

  it('an early answer is given without the app, takes no slot, and the next request still waits its turn', async () => {
    const admission = createAdmission({
      limit: 1,
      holdMs: 60_000,
      maxWaitMs: 60_000,
      early: (request) =>
        request.url === '/busy'
          ? new Response('busy', { status: 503, headers: { 'retry-after': '1' } })
          : null,
    });
    const { port, started, startedCount, seen } = await heldServer(admission);
    send(port, '/held');
    await startedCount(1);
    const status = await new Promise<[number | undefined, string | undefined, string]>((resolve) =>
      http.get({ host: '127.0.0.1', port, path: '/busy', agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve([response.statusCode, response.headers['retry-after'], text]),
        );
      }),
    );
    expect(status).toEqual([503, '1', 'busy']);
    send(port, '/waits');
    await seen(2);
    await turns();
    expect(started.map((h) => h.path)).toEqual(['/held']);
    expect(admission.load()).toEqual({ counted: 1, waiting: 1 });
    started[0]!.answer();
    await startedCount(2);
    for (const held of started) held.answer();
  });

  it('a hook that throws lets the request through to the app, and says so once', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const admission = createAdmission({
      limit: 1,
      holdMs: 60_000,
      maxWaitMs: 60_000,
      early: () => {
        throw new Error('broken hook');
      },
    });
    const { port, started, startedCount } = await heldServer(admission);
    send(port, '/a');
    send(port, '/b');
    await startedCount(2);
    expect(started.map((h) => h.path).sort()).toEqual(['/a', '/b']);
    expect(logged).toHaveBeenCalledTimes(1);
    for (const held of started) held.answer();
  });

  it('limit 0 is off: every request starts at once', async () => {
    const admission = createAdmission({ limit: 0 });
    const { port, started, startedCount } = await heldServer(admission);
    for (const path of ['/a', '/b', '/c']) send(port, path);
    await startedCount(3);
    expect(admission.load()).toEqual({ counted: 0, waiting: 0 });
    for (const held of started) held.answer();
  });

  it('the exempt path is where the sign-in form posts', () => {
    const form = readFileSync('app/(auth)/login/password-form.tsx', 'utf8');
    expect(form).toContain(`action="${PASSWORD_STEP_PATH}"`);
    expect(form).toContain(`usePostedForm('${PASSWORD_STEP_PATH}'`);
  });

  it('pathsExempt matches the exact path with any query, nothing longer', () => {
    const exempt = pathsExempt([PASSWORD_STEP_PATH]);
    const at = (url: string) => exempt({ url } as http.IncomingMessage);
    expect(at('/login/password')).toBe(true);
    expect(at('/login/password?x=1')).toBe(true);
    expect(at('/login/passwordx')).toBe(false);
    expect(at('/login/password/more')).toBe(false);
    expect(at('/login')).toBe(false);
  });

  it('defaults to four per core', () => {
    expect(defaultAdmissionLimit(2)).toBe(8);
    expect(defaultAdmissionLimit(0)).toBe(4);
  });

  it("admitServerRequests puts a server that another module created behind the admission, once, and says so at the first request (a process of its own: it changes Node's http.Server)", () => {
    const script = `
      import http from 'node:http';
      import { createAdmission, admitServerRequests } from './lib/web/request-admission.ts';
      const order = [];
      const held = [];
      const server = http.createServer((req, res) => { order.push(req.url); held.push(res); });
      admitServerRequests(createAdmission({ limit: 1, holdMs: 60_000, maxWaitMs: 60_000 }));
      let second = 'no error';
      try { admitServerRequests(createAdmission({ limit: 1 })); } catch (e) { second = e.message; }
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address();
      const get = (path) => new Promise((resolve) =>
        http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => { res.resume(); res.on('end', resolve); }));
      const a = get('/a');
      while (order.length < 1) await new Promise((r) => setTimeout(r, 5));
      const b = get('/b');
      await new Promise((r) => setTimeout(r, 100));
      const whileHeld = [...order];
      held.shift().end('a');
      await a;
      while (order.length < 2) await new Promise((r) => setTimeout(r, 5));
      held.shift().end('b');
      await b;
      console.log(JSON.stringify({ whileHeld, order, second }));
      server.close();
    `;
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain(
      'request admission: requests are taken in turn, at most 1 in the app at once',
    );
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      whileHeld: ['/a'],
      order: ['/a', '/b'],
      second: 'request admission is already installed',
    });
  });
});
