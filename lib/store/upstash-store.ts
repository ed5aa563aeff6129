import 'server-only';
import { Redis } from '@upstash/redis';
import {
  type CodeAttempt,
  type ExpiringStore,
  StoreUnavailableError,
  type TicketCodeOutcome,
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

// The whole check-and-consume runs inside Redis, so of many concurrent correct submissions only
// the first finds the code (OTP-03) and concurrent wrong ones each burn one try (OTP-05). The
// plain string comparison is fine: both sides are keyed HMACs, so its timing reveals nothing usable.
// cjson keeps 14 significant digits, enough for epoch milliseconds until the year 5138.
const ATTEMPT_CODE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
local code = cjson.decode(raw)
if tonumber(ARGV[2]) > tonumber(code.expiresAt) then
  redis.call('DEL', KEYS[1])
  return {'expired'}
end
if code.hash == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'match'}
end
local left = tonumber(code.attemptsLeft) - 1
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return {'mismatch', 0}
end
code.attemptsLeft = left
redis.call('SET', KEYS[1], cjson.encode(code), 'KEEPTTL')
return {'mismatch', left}`;

// A whole code step of a sign-in in one round trip (the port's checkTicketCode): the ticket, the
// account's wrong-code counter, the ticket's try count, the attempt, and on a match the clean-up
// and the verified ticket. The account counter's key is built here from the ticket's userId (the
// caller cannot know it before the ticket is read): fine on a single-shard Redis such as an
// Upstash regional or global database, which does not check declared keys.
// KEYS: ticket, code, cooldown, verified. ARGV: code hash, now, failures key prefix, account
// limit, failure window ms, ticket try limit, verified TTL ms ('' = none), trust '1'/'0', malformed
// '1'/'0', key prefix (for the ticket's restartOnMatch counters, also built here).
const CHECK_TICKET_CODE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'no-ticket'} end
local ticket = cjson.decode(raw)
local now = tonumber(ARGV[2])
if not (tonumber(ticket.expiresAt) > now) then return {'no-ticket'} end
if ticket.stage ~= 'code-sent' then return {'no-code', 0, raw} end
local fkey = ARGV[3] .. ticket.userId
local failures = tonumber(redis.call('GET', fkey) or '0') or 0
if failures >= tonumber(ARGV[4]) then return {'locked', 0, raw} end
if ARGV[9] == '1' then return {'malformed', 0, raw} end
local tries = (tonumber(ticket.codeTries) or 0) + 1
ticket.codeTries = tries
redis.call('SET', KEYS[1], cjson.encode(ticket), 'KEEPTTL')
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
  return {'mismatch', left, raw}
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[1], fkey)
if type(ticket.restartOnMatch) == 'table' then
  for _, counter in ipairs(ticket.restartOnMatch) do
    redis.call('DEL', ARGV[10] .. counter.key .. ':' .. string.format('%d', math.floor(now / tonumber(counter.windowMs))))
  end
end
if ARGV[7] ~= '' then
  local ttl = tonumber(ARGV[7])
  ticket.codeTries = nil
  ticket.restartOnMatch = nil
  ticket.stage = 'verified'
  ticket.method = 'code'
  ticket.trustRequested = ARGV[8] == '1'
  ticket.expiresAt = now + ttl
  redis.call('SET', KEYS[4], cjson.encode(ticket), 'PX', ttl)
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
  const attemptScript = redis.createScript<[string, number?]>(ATTEMPT_CODE);
  const checkTicketScript = redis.createScript<[string, number?, string?]>(CHECK_TICKET_CODE);
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

    async attemptCode(key, codeHash, nowMs): Promise<CodeAttempt> {
      const [outcome, attemptsLeft] = await call('attemptCode', () =>
        attemptScript.exec([k(key)], [codeHash, String(nowMs)]),
      );
      switch (outcome) {
        case 'match':
        case 'expired':
        case 'missing':
          return { outcome };
        case 'mismatch':
          return { outcome, attemptsLeft: Number(attemptsLeft) };
        default:
          throw new StoreUnavailableError(
            `Upstash attemptCode answered ${JSON.stringify(outcome)}`,
          );
      }
    },

    async checkTicketCode<T>(
      check: Parameters<ExpiringStore['checkTicketCode']>[0],
    ): Promise<TicketCodeOutcome<T>> {
      const verifiedTtl = check.verifiedTtlMs === null ? '' : String(checkTtl(check.verifiedTtlMs));
      const windowMs = String(checkTtl(check.accountFailureWindowMs));
      const keys = [
        k(check.ticketKey),
        k(check.codeKey),
        k(check.cooldownKey),
        k(check.verifiedKey),
      ];
      const args = [
        check.codeHash ?? '',
        String(check.nowMs),
        k(check.failuresKeyPrefix),
        String(check.accountFailureLimit),
        windowMs,
        String(check.ticketTryLimit),
        verifiedTtl,
        check.trustRequested ? '1' : '0',
        check.codeHash === null ? '1' : '0',
        k(''),
      ];
      const [outcome, left, raw] = await call('checkTicketCode', () =>
        checkTicketScript.exec(keys, args),
      );
      if (outcome === 'no-ticket') return { outcome };
      const ticket = fromJson<T>(typeof raw === 'string' ? raw : null);
      if (ticket === null)
        throw new StoreUnavailableError(
          `Upstash checkTicketCode answered ${JSON.stringify(outcome)} without a ticket`,
        );
      switch (outcome) {
        case 'mismatch':
          return { outcome, attemptsLeft: Number(left), ticket };
        case 'no-code':
        case 'locked':
        case 'limited':
        case 'malformed':
        case 'expired':
        case 'missing':
        case 'match':
          return { outcome, ticket };
        default:
          throw new StoreUnavailableError(
            `Upstash checkTicketCode answered ${JSON.stringify(outcome)}`,
          );
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
