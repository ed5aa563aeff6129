import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// lib/env.ts parses process.env once, at import. Each case imports it in a fresh Node process
// with exactly the environment given (nothing inherited but PATH), the way `next start` meets it
// through instrumentation.ts: a production start with missing configuration must fail at once,
// naming what is missing.

const ROOT = path.resolve(import.meta.dirname, '..');
const PRINT = `const { env } = await import(${JSON.stringify(path.join(ROOT, 'lib/env.ts'))});
console.log(JSON.stringify({ APP_ORIGIN: env.APP_ORIGIN, STORE_KEY_PREFIX: env.STORE_KEY_PREFIX, OUTBOX_ENABLED: env.OUTBOX_ENABLED, TRUSTED_PROXY_HOPS: env.TRUSTED_PROXY_HOPS }));`;

function importEnv(vars: Record<string, string>): { ok: boolean; stdout: string; stderr: string } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...vars };
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', PRINT],
    {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

const complete = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://app@db.example.com:5432/latchkey',
  AUTH_SECRET: 'a'.repeat(43),
  APP_ORIGIN: 'https://login.example.com',
  UPSTASH_REDIS_REST_URL: 'https://eu1-example.upstash.io',
  UPSTASH_REDIS_REST_TOKEN: 'token',
  POSTMARK_SERVER_TOKEN: 'postmark-token',
  POSTMARK_FROM: 'Latchkey <login@example.com>',
};

const without = (vars: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(vars).filter(([name]) => !names.includes(name)));

describe('lib/env.ts at boot', () => {
  it('a production start with nothing configured fails naming DATABASE_URL and AUTH_SECRET', () => {
    const run = importEnv({ NODE_ENV: 'production' });
    expect(run.ok).toBe(false);
    expect(run.stderr).toContain('Invalid configuration');
    expect(run.stderr).toMatch(/DATABASE_URL: /);
    expect(run.stderr).toMatch(/AUTH_SECRET: /);
  });

  it('a production start without the store, email provider or an https origin names each of them', () => {
    const run = importEnv(
      without(
        complete,
        'UPSTASH_REDIS_REST_URL',
        'UPSTASH_REDIS_REST_TOKEN',
        'POSTMARK_SERVER_TOKEN',
        'APP_ORIGIN',
      ),
    );
    expect(run.ok).toBe(false);
    expect(run.stderr).toContain('UPSTASH_REDIS_REST_URL: required in production');
    expect(run.stderr).toContain('POSTMARK_SERVER_TOKEN, POSTMARK_FROM: required');
    expect(run.stderr).toContain('APP_ORIGIN: must be https://');
  });

  it('a complete production configuration loads', () => {
    const run = importEnv(complete);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      APP_ORIGIN: 'https://login.example.com',
      STORE_KEY_PREFIX: 'latchkey:',
      OUTBOX_ENABLED: false,
      TRUSTED_PROXY_HOPS: 0,
    });
  });

  it('SKIP_ENV_VALIDATION=1 (next build) loads with nothing configured', () => {
    expect(importEnv({ NODE_ENV: 'production', SKIP_ENV_VALIDATION: '1' }).ok).toBe(true);
  });

  it('a Vercel preview gets its branch URL as origin and its own Redis key prefix unless they are set', () => {
    const rest = without(complete, 'APP_ORIGIN');
    const vercel = {
      VERCEL: '1',
      VERCEL_ENV: 'preview',
      VERCEL_URL: 'latchkey-abc123-team.vercel.app',
      VERCEL_BRANCH_URL: 'latchkey-git-feature-sms-team.vercel.app',
      VERCEL_GIT_COMMIT_REF: 'feature/SMS limits!',
    };
    const derived = importEnv({ ...rest, ...vercel });
    expect(JSON.parse(derived.stdout)).toMatchObject({
      APP_ORIGIN: 'https://latchkey-git-feature-sms-team.vercel.app',
      STORE_KEY_PREFIX: 'latchkey:preview:feature-SMS-limits-:',
    });
    const explicit = importEnv({
      ...rest,
      ...vercel,
      APP_ORIGIN: 'https://preview.example.com',
      STORE_KEY_PREFIX: 'mine:',
    });
    expect(JSON.parse(explicit.stdout)).toMatchObject({
      APP_ORIGIN: 'https://preview.example.com',
      STORE_KEY_PREFIX: 'mine:',
    });
  });

  it('the outbox is refused on the production deployment and off unless enabled on a preview', () => {
    const production = importEnv({
      ...complete,
      VERCEL: '1',
      VERCEL_ENV: 'production',
      OUTBOX_ENABLED: '1',
    });
    expect(production.ok).toBe(false);
    expect(production.stderr).toContain('OUTBOX_ENABLED: never on the production deployment');
    const preview = importEnv({
      ...complete,
      VERCEL: '1',
      VERCEL_ENV: 'preview',
      VERCEL_URL: 'x.vercel.app',
    });
    expect(JSON.parse(preview.stdout)).toMatchObject({ OUTBOX_ENABLED: false });
  });

  // The outbox shows every code and reset link (OTP-07, RC-02): under `next start` only on a
  // deployment that says it is a preview, and only with a token to read it (decision 0018).
  const TOKEN = 'o'.repeat(32);

  it('OTP-07 RC-02: a production start with the outbox is refused without a preview opt-in, off Vercel too', () => {
    const run = importEnv({ ...complete, OUTBOX_ENABLED: '1', OUTBOX_TOKEN: TOKEN });
    expect(run.ok).toBe(false);
    expect(run.stderr).toContain('OUTBOX_ENABLED: only on a preview in production mode');
    const bare = importEnv({ ...complete, OUTBOX_ENABLED: '1' });
    expect(bare.stderr).toContain('OUTBOX_ENABLED: only on a preview in production mode');
    expect(bare.stderr).toContain('OUTBOX_TOKEN: required with OUTBOX_ENABLED');
  });

  it('OTP-07 RC-02: a preview with the outbox is refused without an OUTBOX_TOKEN of 32+ characters', () => {
    const vercelPreview = { VERCEL: '1', VERCEL_ENV: 'preview', VERCEL_URL: 'x.vercel.app' };
    for (const stage of [vercelPreview, { DEPLOYMENT_STAGE: 'preview' }]) {
      const run = importEnv({ ...complete, ...stage, OUTBOX_ENABLED: '1' });
      expect(run.ok).toBe(false);
      expect(run.stderr).toContain('OUTBOX_TOKEN: required with OUTBOX_ENABLED');
      expect(run.stderr).not.toContain('only on a preview');
      const short = importEnv({
        ...complete,
        ...stage,
        OUTBOX_ENABLED: '1',
        OUTBOX_TOKEN: TOKEN.slice(1),
      });
      expect(short.stderr).toContain('OUTBOX_TOKEN: OUTBOX_TOKEN must be at least 32 characters');
      const ready = importEnv({ ...complete, ...stage, OUTBOX_ENABLED: '1', OUTBOX_TOKEN: TOKEN });
      expect(ready.stderr).toBe('');
      expect(JSON.parse(ready.stdout)).toMatchObject({ OUTBOX_ENABLED: true });
    }
  });

  it('DEPLOYMENT_STAGE=preview cannot turn the Vercel production deployment into a preview', () => {
    const run = importEnv({
      ...complete,
      VERCEL: '1',
      VERCEL_ENV: 'production',
      DEPLOYMENT_STAGE: 'preview',
      OUTBOX_ENABLED: '1',
      OUTBOX_TOKEN: TOKEN,
    });
    expect(run.ok).toBe(false);
    expect(run.stderr).toContain('DEPLOYMENT_STAGE: this is the Vercel production deployment');
    expect(run.stderr).toContain('OUTBOX_ENABLED: never on the production deployment');
  });

  it('development (npm run dev) has the outbox on with nothing but a database and a secret', () => {
    const run = importEnv({
      NODE_ENV: 'development',
      DATABASE_URL: complete.DATABASE_URL,
      AUTH_SECRET: complete.AUTH_SECRET,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ OUTBOX_ENABLED: true });
  });

  it('in development links follow the port the server listens on unless APP_ORIGIN is set', () => {
    const dev = {
      NODE_ENV: 'development',
      DATABASE_URL: complete.DATABASE_URL,
      AUTH_SECRET: complete.AUTH_SECRET,
    };
    const origin = (vars: Record<string, string>) =>
      JSON.parse(importEnv({ ...dev, ...vars }).stdout).APP_ORIGIN;
    expect(origin({})).toBe('http://localhost:3000');
    expect(origin({ PORT: '3001' })).toBe('http://localhost:3001');
    expect(origin({ PORT: '3001', APP_ORIGIN: 'http://dev.example.test:8080' })).toBe(
      'http://dev.example.test:8080',
    );
    expect(origin({ PORT: 'not-a-port' })).toBe('http://localhost:3000');
  });

  it('ALLOW_INSECURE_ORIGIN lets a local production check use http, and is refused on Vercel', () => {
    const local = importEnv({
      ...complete,
      APP_ORIGIN: 'http://127.0.0.1:3850',
      ALLOW_INSECURE_ORIGIN: '1',
    });
    expect(local.ok).toBe(true);
    const onVercel = importEnv({
      ...complete,
      APP_ORIGIN: 'http://127.0.0.1:3850',
      ALLOW_INSECURE_ORIGIN: '1',
      VERCEL: '1',
      VERCEL_ENV: 'preview',
    });
    expect(onVercel.stderr).toContain('ALLOW_INSECURE_ORIGIN: for local tests only');
  });

  it('TRUSTED_PROXY_HOPS defaults to 0, takes a whole number up to 10, and is refused on Vercel', () => {
    expect(JSON.parse(importEnv(complete).stdout)).toMatchObject({ TRUSTED_PROXY_HOPS: 0 });
    expect(JSON.parse(importEnv({ ...complete, TRUSTED_PROXY_HOPS: '2' }).stdout)).toMatchObject({
      TRUSTED_PROXY_HOPS: 2,
    });
    for (const bad of ['-1', '1.5', 'one', '11']) {
      const run = importEnv({ ...complete, TRUSTED_PROXY_HOPS: bad });
      expect(run.ok, bad).toBe(false);
      expect(run.stderr, bad).toContain(
        'TRUSTED_PROXY_HOPS: TRUSTED_PROXY_HOPS must be a whole number from 0 to 10',
      );
    }
    const onVercel = importEnv({
      ...complete,
      TRUSTED_PROXY_HOPS: '1',
      VERCEL: '1',
      VERCEL_ENV: 'production',
    });
    expect(onVercel.ok).toBe(false);
    expect(onVercel.stderr).toContain('TRUSTED_PROXY_HOPS: leave it unset on Vercel');
  });

  it('REQUEST_CONCURRENCY takes 0 (off) to 1024 requests, and nothing else', () => {
    for (const value of ['0', '8', '1024'])
      expect(importEnv({ ...complete, REQUEST_CONCURRENCY: value }).ok, value).toBe(true);
    for (const bad of ['-1', '1025', '2.5', 'many'])
      expect(importEnv({ ...complete, REQUEST_CONCURRENCY: bad }).stderr, bad).toContain(
        'REQUEST_CONCURRENCY:',
      );
  });

  it('SIGN_IN_THREAD takes auto, worker or inline, and worker is refused without Upstash or on one database connection', () => {
    for (const value of ['auto', 'worker', 'inline'])
      expect(importEnv({ ...complete, SIGN_IN_THREAD: value }).ok, value).toBe(true);
    expect(importEnv({ ...complete, SIGN_IN_THREAD: 'threads' }).stderr).toContain(
      'SIGN_IN_THREAD:',
    );
    const alone = importEnv({
      ...without(complete, 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'),
      MEMORY_STORE: '1',
      SIGN_IN_THREAD: 'worker',
    });
    expect(alone.ok).toBe(false);
    expect(alone.stderr).toContain('SIGN_IN_THREAD=worker: needs UPSTASH_REDIS_REST_URL');
    const oneConnection = importEnv({
      ...complete,
      DATABASE_POOL_MAX: '1',
      SIGN_IN_THREAD: 'worker',
    });
    expect(oneConnection.ok).toBe(false);
    expect(oneConnection.stderr).toContain('SIGN_IN_THREAD=worker: not with DATABASE_POOL_MAX=1');
  });

  it('a malformed CRON_SECRET names itself', () => {
    const run = importEnv({ ...complete, CRON_SECRET: 'short' });
    expect(run.stderr).toContain('CRON_SECRET: CRON_SECRET must be at least 16 characters');
  });
});
