import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';

// A Redis server of the test's own, which the test may stop and start again (the machine's shared
// Redis must not be stopped). Needs the `redis-server` binary (Debian's redis-server package, as
// on CI); without it the fault tests that need it skip, saying why.

const CANDIDATES = [
  process.env.REDIS_SERVER_PATH,
  '/usr/bin/redis-server',
  '/usr/local/bin/redis-server',
];
export const REDIS_SERVER_BINARY =
  CANDIDATES.find((p): p is string => !!p && existsSync(p)) ?? null;

export type OwnRedis = { url: string; port: number; stop(): Promise<void>; start(): Promise<void> };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts an empty, non-persistent Redis on a free port; `stop` kills it, `start` brings it back empty. */
export async function startOwnRedis(): Promise<OwnRedis> {
  if (!REDIS_SERVER_BINARY) throw new Error('redis-server is not installed');
  const port = await freePort();
  let child: ChildProcess | null = null;

  async function start() {
    child = spawn(
      REDIS_SERVER_BINARY!,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!(await answers(port))) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stop() {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill('SIGKILL'); // as abrupt as a crash: no chance to answer pending commands
    });
  }

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}

/** A TCP server that accepts connections and never answers: a black-holed or hung dependency. */
export async function startBlackHole(): Promise<{
  url: (scheme: string) => string;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
