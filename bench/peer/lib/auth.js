import { hash, verify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { twoFactor } from 'better-auth/plugins';
import Redis from 'ioredis';
import pg from 'pg';

// The peer of `npm run bench:peer`: Better Auth with its two-factor plugin (codes by email, trust
// device), Redis as secondary storage (verification values: pending sign-ins, codes, trusted
// devices; session cache) with sessions also stored in PostgreSQL, argon2id at Latchkey's
// parameters, Better Auth's rate limiter off (the whole load comes from one address).
// Configured by the environment that bench/peer.ts gives `next start`.

/** Latchkey's PASSWORD_HASH_OPTIONS (lib/auth/password.ts): argon2id, m = 19 MiB, t = 2, p = 1. */
export const PASSWORD_HASH_OPTIONS = {
  algorithm: 2,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

const prefix = process.env.PEER_REDIS_PREFIX ?? 'latchkey-peer:';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });

/** Better Auth's SecondaryStorage over ioredis, every key under the run's prefix. */
const secondaryStorage = {
  get: (key) => redis.get(prefix + key),
  getAndDelete: (key) => redis.getdel(prefix + key),
  async increment(key, ttl) {
    const [[, value]] = await redis
      .multi()
      .incr(prefix + key)
      .expire(prefix + key, ttl, 'NX')
      .exec();
    return value;
  },
  set: (key, value, ttl) =>
    ttl ? redis.set(prefix + key, value, 'EX', ttl) : redis.set(prefix + key, value),
  delete: (key) => redis.del(prefix + key),
};

export const auth = betterAuth({
  appName: 'Latchkey peer',
  baseURL: process.env.BETTER_AUTH_URL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }),
  secondaryStorage,
  session: { storeSessionInDatabase: true },
  emailAndPassword: {
    enabled: true,
    password: {
      // NFKC as Latchkey does (lib/auth/password.ts), then argon2id.
      hash: (password) => hash(password.normalize('NFKC'), PASSWORD_HASH_OPTIONS),
      verify: ({ hash: stored, password }) => verify(stored, password.normalize('NFKC')),
    },
  },
  plugins: [
    twoFactor({
      // Codes stored hashed (SHA-256), as Latchkey stores them keyed-hashed, never in clear.
      otpOptions: {
        storeOTP: 'hashed',
        period: 10,
        // Delivery is outside both measured steps: the bench makes its pending codes itself.
        async sendOTP() {},
      },
      trustDeviceMaxAge: 30 * 24 * 60 * 60,
    }),
  ],
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
});
