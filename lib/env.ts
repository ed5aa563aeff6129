import { createEnv } from '@t3-oss/env-nextjs';
import { z } from 'zod';
import { parseMethodList } from '@/lib/policy/sign-in-policy';

// The one reader of process.env. Every variable is parsed here at first use; a missing or
// malformed one names itself in the thrown error. `SKIP_ENV_VALIDATION=1` lets `next build` run
// without secrets; the running server still validates (lib/env-check.ts via instrumentation).

/** A comma-separated list of sign-in methods (lib/policy/sign-in-policy.ts), checked by name. */
const methodList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        return parseMethodList(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

const flag = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === '1' || v === 'true' || v === 'yes'));

const seconds = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const isProduction = process.env.NODE_ENV === 'production';

// Vercel preview deployments (docs/deploy.md): when not set explicitly, the origin is the
// branch's stable URL and the Redis key prefix is the branch's own, so previews sharing one
// Upstash database never read each other's codes or tickets. Vercel sets the VERCEL_* values.
const vercelEnv = process.env.VERCEL_ENV;
const preview = vercelEnv === 'preview';
const previewHost = process.env.VERCEL_BRANCH_URL || process.env.VERCEL_URL;
const previewRef = (process.env.VERCEL_GIT_COMMIT_REF || process.env.VERCEL_URL || '')
  .replace(/[^\w.-]+/g, '-')
  .slice(0, 40);
// Unset, links point where this server listens: `next dev` and `next start` put the port they
// bound (from -p or PORT) into PORT before any request runs, so `PORT=3001 npm run dev` sends
// reset and invitation links to :3001, not to a default port another app may own.
const listenPort = /^\d{1,5}$/.test(process.env.PORT ?? '') ? process.env.PORT : '3000';

export const env = createEnv({
  server: {
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** PostgreSQL connection string. `npm run dev` and the tests set it to an embedded database. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
    /**
     * Connections in the process's pool (`pg`'s default, 10, when unset). `npm run dev` and the
     * e2e server set 1 for the embedded database: its socket server interleaves the protocol
     * messages of concurrent connections, which corrupts a statement that runs beside another
     * connection's transaction.
     */
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).optional(),
    /** Signs session JWTs and keys the code HMAC. 32+ characters from a CSPRNG. */
    AUTH_SECRET: z.string().min(32, 'AUTH_SECRET must be at least 32 characters'),
    /**
     * Encrypts authenticator-app secrets at rest: 32 bytes, base64 or base64url. Unset, a key is
     * derived from AUTH_SECRET; set it to keep the secrets apart from the session key.
     */
    TOTP_ENCRYPTION_KEY: z
      .string()
      .refine(
        (v) => Buffer.from(v, 'base64url').length === 32,
        'TOTP_ENCRYPTION_KEY must be 32 bytes, base64',
      )
      .optional(),
    /** Public origin of the app (https://login.example.com); links and the WebOTP line use it. */
    APP_ORIGIN: z
      .url()
      .default(
        preview && previewHost ? `https://${previewHost}` : `http://localhost:${listenPort}`,
      ),
    UPSTASH_REDIS_REST_URL: z.url().optional(),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
    /** Explicit opt-in to the single-process in-memory store outside development. */
    MEMORY_STORE: flag(!isProduction),
    /** Prefix for every key this deployment writes to Redis (one per preview, per test run). */
    STORE_KEY_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/)
      .default(preview && previewRef ? `latchkey:preview:${previewRef}:` : 'latchkey:'),
    OTP_TTL_SECONDS: seconds(45, 10, 600),
    OTP_RESEND_COOLDOWN_SECONDS: seconds(15, 0, 300),
    LOGIN_TICKET_TTL_SECONDS: seconds(600, 60, 3600),
    SESSION_MAX_AGE_HOURS: seconds(12, 1, 720),
    /** A session unused this long ends (SE-05); checked to the minute (lastSeenAt is written once a minute). */
    SESSION_IDLE_MINUTES: seconds(30, 2, 1440),
    /** How long a code entered for a sensitive change keeps counting as fresh (SE-07, TD-10). */
    SENSITIVE_ACTION_WINDOW_MINUTES: seconds(10, 1, 60),
    /** How long a password-reset link works (RC-02). */
    PASSWORD_RESET_TTL_MINUTES: seconds(30, 5, 120),
    /** How long a trusted browser skips the code; capped at 90 days (TD-01). */
    TRUSTED_DEVICE_DAYS: seconds(30, 1, 90),
    /** Region for phone numbers typed without a country code (ISO 3166 alpha-2, e.g. US, DE). */
    PHONE_DEFAULT_REGION: z
      .string()
      .regex(/^[A-Z]{2}$/, 'PHONE_DEFAULT_REGION must be a two-letter region code like US')
      .default('US'),
    /** User Upload caps (CSV-01). */
    UPLOAD_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
    UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(200 * 1024 * 1024)
      .default(20 * 1024 * 1024),
    /** How long an invitation (set-password) link works (RC-02). */
    INVITATION_TTL_HOURS: seconds(72, 1, 720),
    /** When true nobody may sign in with the password alone, whatever their own setting. */
    REQUIRE_TWO_FACTOR: flag(false),
    /** Second factors administrators may use (decision 0016); email is left out by default. */
    SIGN_IN_METHODS_ADMIN: methodList('passkey,authenticator-app,backup-code,sms,voice'),
    /** Second factors everyone else may use. */
    SIGN_IN_METHODS_USER: methodList('passkey,authenticator-app,backup-code,sms,voice,email'),
    /** Show messages on /dev/outbox instead of sending them. Default on only in development. */
    OUTBOX_ENABLED: flag(!isProduction),
    /**
     * Under `next start`, the token that reads the outbox (header `x-outbox-token`); admins read
     * it signed in. Required with OUTBOX_ENABLED in production mode (decision 0018).
     */
    OUTBOX_TOKEN: z.string().min(32, 'OUTBOX_TOKEN must be at least 32 characters').optional(),
    /**
     * `preview`: this production-mode deployment is a preview, where OUTBOX_ENABLED may be set.
     * Vercel previews say so themselves (VERCEL_ENV=preview); anything else is `production`.
     */
    DEPLOYMENT_STAGE: z.enum(['production', 'preview']).default(preview ? 'preview' : 'production'),
    VOICE_ENABLED: flag(true),
    /** 1 = no codes by SMS or voice at all (email is offered instead): the toll-fraud brake (FR-03). */
    SMS_KILL_SWITCH: flag(false),
    /** Calling codes SMS and voice codes may go to, e.g. "1,44,49" (FR-01). 1 is all of NANP. */
    SMS_ALLOWED_COUNTRY_CODES: z
      .string()
      .regex(
        /^\s*\+?[1-9]\d{0,2}(\s*,\s*\+?[1-9]\d{0,2})*\s*$/,
        'SMS_ALLOWED_COUNTRY_CODES must be calling codes like 1,44,49',
      )
      .default('1')
      .transform((list) => list.split(',').map((code) => code.trim().replace(/^\+/, ''))),
    /** SMS and voice codes per UTC day for the whole deployment; then only email is offered (FR-03). */
    SMS_DAILY_BUDGET: z.coerce.number().int().min(1).max(10_000_000).default(1000),
    DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(500).max(60000).default(8000),
    POSTMARK_SERVER_TOKEN: z.string().min(1).optional(),
    POSTMARK_FROM: z.string().min(3).optional(),
    POSTMARK_MESSAGE_STREAM: z.string().min(1).default('outbound'),
    /** host:port of a Postmark-compatible server reached over plain HTTP (tests only). */
    POSTMARK_API_HOST: z.string().min(1).optional(),
    TWILIO_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'TWILIO_ACCOUNT_SID must look like AC + 32 hex digits')
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
    /** Sender number in E.164; or set TWILIO_MESSAGING_SERVICE_SID for SMS. */
    TWILIO_FROM: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'TWILIO_FROM must be in E.164, like +15005550006')
      .optional(),
    TWILIO_MESSAGING_SERVICE_SID: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/)
      .optional(),
    /** Base URL of a Twilio-compatible API (tests only), e.g. http://127.0.0.1:4010. */
    TWILIO_API_BASE_URL: z.url().optional(),
    /** Bearer token Vercel Cron sends to /api/cron/cleanup; without it the job refuses to run. */
    CRON_SECRET: z.string().min(16, 'CRON_SECRET must be at least 16 characters').optional(),
    /** Tests only: lets a production server run on a plain-HTTP APP_ORIGIN with real providers (CI production check). Refused on Vercel. */
    ALLOW_INSECURE_ORIGIN: flag(false),
    /**
     * Requests a long-lived server (`next start`, off Vercel) runs at once; more wait their turn in
     * arrival order, outside the app (decision 0035). Default four per core; 0 turns it off.
     */
    REQUEST_CONCURRENCY: z.coerce.number().int().min(0).max(1024).optional(),
    /** Password steps one instance runs at once, fixed (default: adapting between 1 and 2 per core by the event loop's load); more may wait (SIGN_IN_QUEUE_WAIT_MS), then 503 (P5). */
    SIGN_IN_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
    /** How long a waiting password step may wait at the measured pace; sizes the queue (0: a fixed eight per slot). */
    SIGN_IN_QUEUE_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
    /**
     * Where the password step runs (decision 0032): `worker`, on a thread of its own with its own
     * event loop and below its priority, so logins do not hold up code verifies and pages;
     * `inline`, on the request's thread. `auto`: workers under `next start` with Upstash, off
     * Vercel and not with a one-connection database (the embedded one).
     */
    SIGN_IN_THREAD: z.enum(['auto', 'worker', 'inline']).default('auto'),
    /**
     * Proxies of ours in front of the app that append to X-Forwarded-For; the client's address is
     * the entry the outermost one wrote (that many from the right). 0: no proxy, the header is
     * ignored and addresses are unknown. Unused on Vercel, which writes its own header (0017).
     */
    TRUSTED_PROXY_HOPS: z.coerce
      .number({ message: 'TRUSTED_PROXY_HOPS must be a whole number from 0 to 10' })
      .int('TRUSTED_PROXY_HOPS must be a whole number from 0 to 10')
      .min(0, 'TRUSTED_PROXY_HOPS must be a whole number from 0 to 10')
      .max(10, 'TRUSTED_PROXY_HOPS must be a whole number from 0 to 10')
      .default(0),
    /** Set to "1" by Vercel: its client-address and geolocation headers can then be trusted. */
    VERCEL: z.string().optional(),
  },
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  skipValidation: process.env.SKIP_ENV_VALIDATION === '1',
  onValidationError: (issues) => {
    const lines = issues.map(
      (i) => `  ${i.path?.map((p) => (typeof p === 'object' ? p.key : p)).join('.')}: ${i.message}`,
    );
    throw new Error(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example and README.md.`);
  },
});

// Rules that tie variables together. Checked where the variables are, so that a misconfigured
// deployment fails at boot naming what to set.
if (process.env.SKIP_ENV_VALIDATION !== '1') {
  const problems: string[] = [];
  if (!!env.UPSTASH_REDIS_REST_URL !== !!env.UPSTASH_REDIS_REST_TOKEN)
    problems.push('UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN: set both or neither');
  if (!env.UPSTASH_REDIS_REST_URL && !env.MEMORY_STORE)
    problems.push(
      'UPSTASH_REDIS_REST_URL: required in production (or MEMORY_STORE=1 for one process)',
    );
  if (!env.OUTBOX_ENABLED && !(env.POSTMARK_SERVER_TOKEN && env.POSTMARK_FROM))
    problems.push('POSTMARK_SERVER_TOKEN, POSTMARK_FROM: required unless OUTBOX_ENABLED=1');
  if (!!env.TWILIO_ACCOUNT_SID !== !!env.TWILIO_AUTH_TOKEN)
    problems.push('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both or neither');
  if (env.TWILIO_ACCOUNT_SID && !env.TWILIO_FROM)
    problems.push(
      'TWILIO_FROM: required with TWILIO_ACCOUNT_SID (voice calls need a caller number)',
    );
  if (
    env.NODE_ENV === 'production' &&
    !env.APP_ORIGIN.startsWith('https://') &&
    !env.OUTBOX_ENABLED &&
    !env.ALLOW_INSECURE_ORIGIN
  )
    problems.push('APP_ORIGIN: must be https:// in production');
  if (env.DEPLOYMENT_STAGE === 'preview' && vercelEnv === 'production')
    problems.push('DEPLOYMENT_STAGE: this is the Vercel production deployment, not a preview');
  if (env.OUTBOX_ENABLED && vercelEnv === 'production')
    problems.push(
      'OUTBOX_ENABLED: never on the production deployment (codes would be shown, not sent)',
    );
  // Under `next start` the outbox holds real people's codes and links: only on a deployment that
  // says it is a preview, and only behind a token (or an admin's session).
  else if (env.OUTBOX_ENABLED && env.NODE_ENV === 'production') {
    if (env.DEPLOYMENT_STAGE !== 'preview')
      problems.push(
        'OUTBOX_ENABLED: only on a preview in production mode (DEPLOYMENT_STAGE=preview; Vercel previews are)',
      );
    if (!env.OUTBOX_TOKEN)
      problems.push(
        'OUTBOX_TOKEN: required with OUTBOX_ENABLED in production mode (32+ random characters)',
      );
  }
  if (env.TRUSTED_PROXY_HOPS > 0 && env.VERCEL === '1')
    problems.push(
      'TRUSTED_PROXY_HOPS: leave it unset on Vercel (the address comes from x-vercel-forwarded-for)',
    );
  if (env.SIGN_IN_THREAD === 'worker' && !env.UPSTASH_REDIS_REST_URL)
    problems.push(
      'SIGN_IN_THREAD=worker: needs UPSTASH_REDIS_REST_URL (the in-process store is one per thread)',
    );
  if (env.SIGN_IN_THREAD === 'worker' && env.DATABASE_POOL_MAX === 1)
    problems.push(
      'SIGN_IN_THREAD=worker: not with DATABASE_POOL_MAX=1 (each worker opens connections of its own)',
    );
  if (env.ALLOW_INSECURE_ORIGIN && env.VERCEL)
    problems.push('ALLOW_INSECURE_ORIGIN: for local tests only, never on Vercel');
  if (problems.length)
    throw new Error(
      `Invalid configuration:\n  ${problems.join('\n  ')}\nSee .env.example and README.md.`,
    );
}
