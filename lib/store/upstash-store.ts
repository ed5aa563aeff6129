import 'server-only';
import {
  type AttemptCount,
  type AttemptCounted,
  type CodeCheck,
  type CodeCheckOutcome,
  type ExpiringStore,
  StoreUnavailableError,
} from './expiring-store';
import { type UpstashConnection, upstashClient } from './upstash-client';
import { CHECK_CODE, COUNT_ATTEMPT, INCREMENT, UNCOUNT_ATTEMPT } from './upstash-scripts';

// The production store: Upstash Redis over its REST API. Values are JSON strings that this file
// writes and parses itself (the client's automatic deserialisation is off: upstash-client.ts).

export function createUpstashStore(
  options: UpstashConnection & {
    keyPrefix: string;
  },
): ExpiringStore {
  const redis = upstashClient(options);
  const incrementScript = redis.createScript<number>(INCREMENT);
  const checkCodeScript = redis.createScript<[string, number?, string?, number?]>(CHECK_CODE);
  const countAttemptScript = redis.createScript<[number, number, number]>(COUNT_ATTEMPT);
  const uncountAttemptScript = redis.createScript<number>(UNCOUNT_ATTEMPT);
  const k = (key: string) => options.keyPrefix + key;

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      // No key in the message: a ticket key is a bearer secret, and messages end up in logs.
      throw new StoreUnavailableError(`Upstash ${operation} failed`, { cause: redact(error) });
    }
  }

  // Arguments are checked before `call`, so a caller's mistake is not reported as an outage.
  return {
    async put(key, value, ttlMs) {
      const json = toJson(value);
      const px = checkTtl(ttlMs);
      await call('put', () => redis.set(k(key), json, { px }));
    },

    async putIfAbsent(key, value, ttlMs) {
      const json = toJson(value);
      const px = checkTtl(ttlMs);
      return (await call('putIfAbsent', () => redis.set(k(key), json, { px, nx: true }))) === 'OK';
    },

    async get<T>(key: string) {
      return fromJson<T>(await call('get', () => redis.get<string>(k(key))));
    },

    async take<T>(key: string) {
      return fromJson<T>(await call('take', () => redis.getdel<string>(k(key))));
    },

    async delete(key) {
      await call('delete', () => redis.del(k(key)));
    },

    async increment(key, ttlMs) {
      const px = String(checkTtl(ttlMs));
      return call('increment', async () => {
        const count = Number(await incrementScript.exec([k(key)], [px]));
        if (!Number.isSafeInteger(count)) throw new TypeError(`INCR answered ${count}`);
        return count;
      });
    },

    async ttlMs(key) {
      const ms = Number(await call('ttlMs', () => redis.pttl(k(key))));
      if (ms === -2) return null;
      // -1 is a key without expiry; this port never writes one, but say so rather than lie.
      return ms === -1 ? Number.POSITIVE_INFINITY : ms;
    },

    async checkCode<T>(check: CodeCheck): Promise<CodeCheckOutcome<T>> {
      const verifiedTtl = check.verifiedTtlMs === null ? '' : String(checkTtl(check.verifiedTtlMs));
      const keys = [
        check.recordKey,
        check.codeKey,
        check.cooldownKey,
        check.verifiedKey,
        check.triesKey,
      ];
      const args = [
        check.codeHash ?? '',
        String(check.nowMs),
        k(check.failuresKeyPrefix),
        String(check.accountFailureLimit),
        String(checkTtl(check.accountFailureWindowMs)),
        String(check.challengeTryLimit),
        verifiedTtl,
        check.trustRequested ? '1' : '0',
        check.codeHash === null ? '1' : '0',
        k(''),
        k(check.wrongCodesKeyPrefix),
        String(checkTtl(check.wrongCodeWindowMs)),
        check.purpose,
      ];
      const [outcome, left, raw, wrong] = await call('checkCode', () =>
        checkCodeScript.exec(keys.map(k), args),
      );
      if (outcome === 'no-challenge') return { outcome };
      const record = fromJson<T>(typeof raw === 'string' ? raw : null);
      if (record === null)
        throw new StoreUnavailableError(
          `Upstash checkCode answered ${JSON.stringify(outcome)} without a record`,
        );
      switch (outcome) {
        case 'mismatch':
          return { outcome, attemptsLeft: Number(left), wrongCodes: Number(wrong), record };
        case 'no-code':
        case 'locked':
        case 'limited':
        case 'malformed':
        case 'expired':
        case 'missing':
        case 'match':
          return { outcome, record };
        default:
          throw new StoreUnavailableError(`Upstash checkCode answered ${JSON.stringify(outcome)}`);
      }
    },

    async countAttempt(attempt: AttemptCount): Promise<AttemptCounted> {
      const args = [
        String(checkTtl(attempt.windowMs)),
        String(attempt.threshold),
        ...attempt.lockMs.map((ms) => String(checkTtl(ms))),
      ];
      const keys = [k(attempt.counterKey), k(attempt.lockKey)];
      const [count, left, started] = await call('countAttempt', () =>
        countAttemptScript.exec(keys, args),
      );
      const attempts = Number(count);
      if (!Number.isSafeInteger(attempts))
        throw new StoreUnavailableError(`Upstash countAttempt answered ${attempts}`);
      return {
        attempts,
        lockedForMs: Number(left) > 0 ? Number(left) : null,
        startedLockMs: Number(started) > 0 ? Number(started) : null,
      };
    },

    async uncountAttempt(attempt, attempts) {
      const keys = [k(attempt.counterKey), k(attempt.lockKey)];
      await call('uncountAttempt', () => uncountAttemptScript.exec(keys, [String(attempts)]));
    },
  };
}

/** The client's HTTP errors quote the whole command (keys and values); keep only Redis's words. */
function redact(error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.includes(', command was: ')) return error;
  const trimmed = new Error(error.message.slice(0, error.message.indexOf(', command was: ')));
  trimmed.name = error.name;
  return trimmed;
}

function fromJson<T>(raw: string | null): T | null {
  return raw === null ? null : (JSON.parse(raw) as T);
}

function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('ExpiringStore values must be JSON-serialisable');
  return json;
}

function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs < 1)
    throw new RangeError(`ttlMs must be at least 1, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}
