import { randomUUID } from 'node:crypto';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { afterAll, describe, expect, inject, it } from 'vitest';

// The bridge stands in for Upstash in every Redis-backed test, so it has to answer the way the
// real service does, or the store and the rate limits would pass against a friendlier server.

const upstash = inject('upstash');
const prefix = inject('storeKeyPrefix');

describe.skipIf(!upstash)('Upstash REST bridge', () => {
  // Redis on CI keeps what earlier runs wrote; these raw keys have no TTL, so remove them.
  const written: string[] = [];
  const key = (name: string) => {
    written.push(`${prefix}bridge:${randomUUID()}:${name}`);
    return written.at(-1)!;
  };
  afterAll(async () => {
    if (written.length > 0) await post('/', ['DEL', ...written]);
  });

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${upstash!.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${upstash!.token}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  it('base64-encodes every string of a result when asked, and leaves numbers and nulls alone', async () => {
    const k = key('text');
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    expect(await post('/', ['SET', k, 'héllo 012345'], { 'Upstash-Encoding': 'base64' })).toEqual({
      status: 200,
      body: { result: b64('OK') },
    });
    expect((await post('/', ['GET', k], { 'Upstash-Encoding': 'base64' })).body).toEqual({
      result: b64('héllo 012345'),
    });
    expect((await post('/', ['GET', k])).body).toEqual({ result: 'héllo 012345' });
    expect((await post('/', ['GET', key('none')], { 'Upstash-Encoding': 'base64' })).body).toEqual({
      result: null,
    });
    const script = "return {1, 'a', {2, 'b'}}";
    expect((await post('/', ['EVAL', script, 0], { 'Upstash-Encoding': 'base64' })).body).toEqual({
      result: [1, b64('a'), [2, b64('b')]],
    });
  });

  it('answers a Redis error with HTTP 400, a bad token with 401, and errors inside a pipeline per command', async () => {
    const k = key('word');
    await post('/', ['SET', k, 'not a number']);
    const failed = await post('/', ['INCR', k]);
    expect(failed.status).toBe(400);
    expect(failed.body).toEqual({ error: expect.stringContaining('not an integer') });

    const denied = await fetch(upstash!.url, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong' },
      body: '["PING"]',
    });
    expect(denied.status).toBe(401);

    const n = key('n');
    const piped = await post('/pipeline', [
      ['INCR', n],
      ['INCR', k],
      ['INCR', n],
    ]);
    expect(piped.status).toBe(200);
    expect(piped.body).toEqual([
      { result: 1 },
      { error: expect.stringContaining('not an integer') },
      { result: 2 },
    ]);
  });

  it('runs /multi-exec as one transaction', async () => {
    const k = key('tx');
    expect(
      (
        await post('/multi-exec', [
          ['INCR', k],
          ['INCR', k],
          ['GET', k],
        ])
      ).body,
    ).toEqual([{ result: 1 }, { result: 2 }, { result: '2' }]);
  });

  it('serves the stock client: values, pipeline, transaction, errors, and scripts with a shebang by EVALSHA', async () => {
    const redis = new Redis({ url: upstash!.url, token: upstash!.token, enableTelemetry: false });
    const k = key('client');
    await redis.set(k, { code: '012345' });
    expect(await redis.get(k)).toEqual({ code: '012345' });
    const counter = key('counter');
    expect(await redis.pipeline().incr(counter).incr(counter).exec()).toEqual([1, 2]);
    const word = key('word');
    expect(await redis.multi().set(word, 'x').get(word).exec()).toEqual(['OK', 'x']);
    await expect(redis.incr(k)).rejects.toThrow(/not an integer/);

    const script = redis.createScript<string>('#!lua flags=allow-key-locking\nreturn ARGV[1]');
    expect(await script.exec([], ['first'])).toBe('first'); // NOSCRIPT, then EVAL: the bridge learns it
    expect(await script.evalsha([], ['second'])).toBe('second'); // the client's SHA of the original text
  });

  it('runs @upstash/ratelimit sliding windows (Lua with #!lua flags) unchanged', async () => {
    const ratelimit = new Ratelimit({
      redis: new Redis({ url: upstash!.url, token: upstash!.token, enableTelemetry: false }),
      limiter: Ratelimit.slidingWindow(3, '10 s'),
      prefix: key('ratelimit'),
      analytics: false,
    });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await ratelimit.limit('203.0.113.7'));
    expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect((await ratelimit.limit('198.51.100.1')).success).toBe(true);
    expect(await ratelimit.getRemaining('203.0.113.7')).toMatchObject({ remaining: 0 });
  });
});
