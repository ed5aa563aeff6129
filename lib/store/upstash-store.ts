import 'server-only';
import { Redis } from '@upstash/redis';
import {
  type CodeCheck,
  type CodeCheckOutcome,
  type ExpiringStore,
  StoreUnavailableError,
} from './expiring-store';

// The production store: Upstash Redis over its REST API. Values are JSON strings that this file
// writes and parses itself: with automatic deserialisation on, the client turns numeric strings
// into numbers ("012345" → 12345), which would corrupt anything that merely looks numeric.

/** A dead or black-holed server must fail the request in seconds (AV-01), not hang the sign-in. */
const DEFAULT_TIMEOUT_MS = 3_000;

// INCR and PEXPIRE in one script: as two commands a crash or timeout between them would leave a
// counter without a TTL, i.e. a lockout that never ends. A counter found without a TTL gets one.
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count`;

// A code entered for a challenge in one round trip (the port's checkCode): the record, the
// account's counters, the challenge's tries, the attempt, and on a match the clean-up and the
// verified record. The whole check-and-consume runs inside Redis, so of many concurrent correct
// submissions only the first finds the code (OTP-03) and concurrent wrong ones each spend one try
// (OTP-05). The account counters' keys are built here from the record's userId (the caller cannot
// know it before the record is read): fine on a single-shard Redis such as an Upstash regional or
// global database, which does not check declared keys. The plain string comparison is fine: both
// sides are keyed HMACs. cjson keeps 14 significant digits, enough for epoch milliseconds.
// KEYS: record, code, cooldown, verified, tries. ARGV: code hash, now, failures key prefix,
// account limit, failure window ms, try limit, verified TTL ms ('' = none), trust '1'/'0',
// malformed '1'/'0', key prefix (for restartOnMatch), notice counter prefix, notice window ms,
// purpose.
const CHECK_CODE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'no-challenge'} end
local record = cjson.decode(raw)
local now = tonumber(ARGV[2])
if record.purpose ~= ARGV[13] or not (tonumber(record.expiresAt) > now) then return {'no-challenge'} end
if record.stage ~= 'code-sent' then return {'no-code', 0, raw} end
local fkey = ARGV[3] .. record.userId
local failures = tonumber(redis.call('GET', fkey) or '0') or 0
if failures >= tonumber(ARGV[4]) then return {'locked', 0, raw} end
if ARGV[9] == '1' then return {'malformed', 0, raw} end
local tries = redis.call('INCR', KEYS[5])
if tries == 1 then
  redis.call('PEXPIRE', KEYS[5], math.max(1, math.floor(tonumber(record.expiresAt) - now)))
end
if tries > tonumber(ARGV[6]) then return {'limited', 0, raw} end

local codeRaw = redis.call('GET', KEYS[2])
if not codeRaw then return {'missing', 0, raw} end
local code = cjson.decode(codeRaw)
if now > tonumber(code.expiresAt) then
  redis.call('DEL', KEYS[2])
  return {'expired', 0, raw}
end
if code.hash ~= ARGV[1] then
  local left = tonumber(code.attemptsLeft) - 1
  if left <= 0 then
    redis.call('DEL', KEYS[2])
    left = 0
  else
    code.attemptsLeft = left
    redis.call('SET', KEYS[2], cjson.encode(code), 'KEEPTTL')
  end
  local count = redis.call('INCR', fkey)
  if count == 1 or redis.call('PTTL', fkey) == -1 then redis.call('PEXPIRE', fkey, ARGV[5]) end
  local wkey = ARGV[11] .. record.userId
  local wrong = redis.call('INCR', wkey)
  if wrong == 1 or redis.call('PTTL', wkey) == -1 then redis.call('PEXPIRE', wkey, ARGV[12]) end
  return {'mismatch', left, raw, wrong}
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[1], KEYS[5], fkey)
if type(record.restartOnMatch) == 'table' then
  for _, counter in ipairs(record.restartOnMatch) do
    redis.call('DEL', ARGV[10] .. counter.key .. ':' .. string.format('%d', math.floor(now / tonumber(counter.windowMs))))
  end
end
if ARGV[7] ~= '' then
  local ttl = tonumber(ARGV[7])
  record.restartOnMatch = nil
  record.stage = 'verified'
  record.method = 'code'
  record.trustRequested = ARGV[8] == '1'
  record.expiresAt = now + ttl
  redis.call('SET', KEYS[4], cjson.encode(record), 'PX', ttl)
end
return {'match', 0, raw}`;

export function createUpstashStore(options: {
  url: string;
  token: string;
  keyPrefix: string;
  /** Per request, connection included; default 3 s. */
  timeoutMs?: number;
}): ExpiringStore {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const redis = new Redis({
    url: options.url,
    token: options.token,
    automaticDeserialization: false,
    // One quick retry covers a reused keep-alive socket that the server had closed. A retried write
    // may apply twice (a counter +2, a code try burnt twice): that errs on the closed side.
    retry: { retries: 1, backoff: () => 50 },
    // A function, not a signal: the client calls it per request (one fresh timeout each), and only
    // in this form does an abort throw; a fixed signal's abort comes back as the result "Aborted".
    signal: () => AbortSignal.timeout(timeoutMs),
    enableTelemetry: false,
    // Auto-pipelining stays on (the default): concurrent calls share one /pipeline request, each
    // command still answered, or failed, on its own; atomicity comes from the scripts, not from it.
  });
  const incrementScript = redis.createScript<number>(INCREMENT);
  const checkCodeScript = redis.createScript<[string, number?, string?, number?]>(CHECK_CODE);
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
