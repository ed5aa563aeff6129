import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';

// Speaks the Upstash REST protocol in front of a real Redis server, so that @upstash/redis and
// @upstash/ratelimit run unchanged in tests. What the client sends and expects (read from
// @upstash/redis 1.39 http.ts): POST <base> with a JSON command array, POST <base>/pipeline and
// <base>/multi-exec with an array of them; `Authorization: Bearer <token>`; `Upstash-Encoding:
// base64` asks for every string in the result base64-encoded (the client's default). A failed
// single command is a non-2xx `{error}` (the client throws `<error>, command was: …`); inside a
// pipeline each command answers `{result}` or `{error}` on its own.

type Reply = { result: unknown } | { error: string };
type Args = (string | Buffer | number)[];

class BadRequest extends Error {}

/** An error Redis answered (as opposed to a lost connection). */
const isReplyError = (error: unknown): error is Error =>
  error instanceof Error && error.name === 'ReplyError';

/** Redis 7.0 refuses unknown shebang flags such as @upstash/ratelimit's `allow-key-locking`. */
const SHEBANG = /^#![^\n]*\n/;
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** What reached the bridge: HTTP requests (round trips) and the Redis commands inside them, by name. */
export type BridgeStats = { requests: number; commands: Record<string, number> };

export async function startUpstashBridge(options: {
  redisUrl: string;
  token?: string;
  port?: number;
}): Promise<{ url: string; token: string; stats: BridgeStats; close(): Promise<void> }> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const redis = new Redis(options.redisUrl, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 1,
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Upstash bridge: cannot reach Redis at ${options.redisUrl}`, { cause: error });
  }

  // Clients hash the script text they hold (shebang included) for EVALSHA; Redis only ever sees
  // the stripped text. Known scripts are answered by EVAL of the stripped text; an unknown SHA
  // goes through and gets NOSCRIPT, on which the clients fall back to EVAL, which teaches us it.
  const strippedBySha = new Map<string, string>();
  const stats: BridgeStats = { requests: 0, commands: {} };
  const count = (raw: unknown) => {
    const name = Array.isArray(raw) ? String(raw[0]).toLowerCase() : '?';
    stats.commands[name] = (stats.commands[name] ?? 0) + 1;
  };

  function learn(script: string): string {
    const stripped = script.replace(SHEBANG, '');
    if (stripped !== script) strippedBySha.set(sha1(script), stripped);
    return stripped;
  }

  /** Returns the command Redis should run and, for SCRIPT LOAD, the SHA the client expects. */
  function translate(raw: unknown): { name: string; args: Args; reply?: string } {
    if (
      !Array.isArray(raw) ||
      raw.length === 0 ||
      !raw.every((a) => ['string', 'number', 'boolean'].includes(typeof a))
    )
      throw new BadRequest('ERR a command is a non-empty array of strings and numbers');
    const [name, ...args] = raw.map((a) => (typeof a === 'number' ? a : String(a))) as [
      string,
      ...Args,
    ];
    const lower = String(name).toLowerCase();
    if ((lower === 'eval' || lower === 'eval_ro') && typeof args[0] === 'string') {
      return { name, args: [learn(args[0]), ...args.slice(1)] };
    }
    if (lower === 'evalsha' || lower === 'evalsha_ro') {
      const script = strippedBySha.get(String(args[0]).toLowerCase());
      if (script)
        return { name: lower === 'evalsha' ? 'eval' : 'eval_ro', args: [script, ...args.slice(1)] };
    }
    if (
      lower === 'script' &&
      String(args[0]).toLowerCase() === 'load' &&
      typeof args[1] === 'string'
    ) {
      return { name, args: ['load', learn(args[1])], reply: sha1(args[1]) };
    }
    return { name, args };
  }

  function encode(value: unknown, base64: boolean): unknown {
    if (Buffer.isBuffer(value)) return value.toString(base64 ? 'base64' : 'utf8');
    if (typeof value === 'string') return base64 ? Buffer.from(value).toString('base64') : value;
    if (Array.isArray(value)) return value.map((v) => encode(v, base64));
    return value ?? null;
  }

  function reply(error: Error | null, result: unknown, base64: boolean): Reply {
    return error ? { error: error.message } : { result: encode(result, base64) };
  }

  async function single(body: unknown, base64: boolean): Promise<[number, Reply]> {
    const command = translate(body);
    try {
      const result = await redis.callBuffer(command.name, ...command.args);
      return [200, reply(null, command.reply ?? result, base64)];
    } catch (error) {
      if (isReplyError(error)) return [400, { error: error.message }];
      throw error;
    }
  }

  async function batch(
    body: unknown,
    base64: boolean,
    transaction: boolean,
  ): Promise<[number, Reply[] | Reply]> {
    if (!Array.isArray(body) || body.length === 0)
      throw new BadRequest('ERR expected an array of commands');
    const commands = body.map(translate);
    const queue = transaction ? redis.multi() : redis.pipeline();
    for (const c of commands) queue.callBuffer(c.name, ...c.args);
    try {
      const results = await queue.exec();
      if (!results) return [400, { error: 'EXECABORT transaction aborted' }];
      return [
        200,
        results.map(([error, result], i) => reply(error, commands[i]?.reply ?? result, base64)),
      ];
    } catch (error) {
      // EXECABORT: a command was refused while queuing, so the transaction ran nothing.
      if (isReplyError(error)) return [400, { error: error.message }];
      throw error;
    }
  }

  async function handle(request: http.IncomingMessage): Promise<[number, unknown]> {
    if (request.headers.authorization !== `Bearer ${token}`)
      return [401, { error: 'Unauthorized' }];
    if (request.method !== 'POST')
      return [405, { error: 'ERR only POST is supported by this bridge' }];
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return [400, { error: 'ERR the body is not JSON' }];
    }
    stats.requests += 1;
    for (const command of Array.isArray(body) && Array.isArray(body[0]) ? body : [body])
      count(command);
    const base64 = String(request.headers['upstash-encoding']).toLowerCase() === 'base64';
    const path = new URL(request.url ?? '/', 'http://bridge').pathname.replace(/\/+$/, '');
    if (path === '') return single(body, base64);
    if (path === '/pipeline') return batch(body, base64, false);
    if (path === '/multi-exec') return batch(body, base64, true);
    return [404, { error: `ERR no such endpoint ${path}` }];
  }

  const server = http.createServer((request, response) => {
    handle(request)
      .catch((error: unknown): [number, unknown] =>
        error instanceof BadRequest
          ? [400, { error: error.message }]
          : [500, { error: String(error) }],
      )
      .then(([status, body]) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stats,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // the client keeps sockets alive; don't wait for them to idle out
      await closed;
      await redis.quit();
    },
  };
}
