import net from 'node:net';

// A TCP relay between one extra server (support/extra-server.ts) and the e2e database, which a test
// can hold: while held, what the server sends to the database stays in the relay, so a request that
// reads the database stays in progress, deterministically, until the test releases it. It knows
// nothing of PostgreSQL's protocol and works the same for the embedded database and a real one.

export type DatabaseRelay = {
  /** The database URL with the relay's address in place of the database's. */
  url: string;
  /** From now on, what servers send to the database waits in the relay. */
  hold(): void;
  /** Sends on, in order, everything that waited, and stops holding. */
  release(): void;
  /** Chunks waiting in the relay now: more than zero once a held request has reached the database. */
  waiting(): number;
  stop(): Promise<void>;
};

export async function startDatabaseRelay(databaseUrl: string): Promise<DatabaseRelay> {
  const target = new URL(databaseUrl);
  let held = false;
  const queue: Array<() => void> = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const database = net.connect(Number(target.port || 5432), target.hostname);
    for (const [socket, other] of [
      [client, database],
      [database, client],
    ] as const) {
      sockets.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        other.destroy();
      });
    }
    client.on('data', (chunk) => {
      if (held) queue.push(() => database.write(chunk));
      else database.write(chunk);
    });
    database.on('data', (chunk) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    hold: () => void (held = true),
    release() {
      held = false;
      queue.splice(0).forEach((send) => send());
    },
    waiting: () => queue.length,
    stop: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
