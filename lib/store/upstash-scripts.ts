// The Lua scripts the Upstash store runs inside Redis: each is one round trip and atomic, which
// is what makes the store's counters exact and its code check single-use under concurrency.

// INCR and PEXPIRE in one script: as two commands a crash or timeout between them would leave a
// counter without a TTL, i.e. a lockout that never ends. A counter found without a TTL gets one.
export const INCREMENT = `
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
export const CHECK_CODE = `
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

// A password attempt on a name, counted before the password is checked (the port's
// countAttempt). KEYS: counter, lock. ARGV: counter window ms, threshold, the lock lengths.
// Answers { count, ms left on the lock found (0: none), ms of the lock started (0: none) }.
export const COUNT_ATTEMPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local left = redis.call('PTTL', KEYS[2])
if left < 0 then left = 0 end
local threshold = tonumber(ARGV[2])
local started = 0
if count >= threshold and count % threshold == 0 and #ARGV > 2 then
  started = tonumber(ARGV[2 + math.min(count / threshold, #ARGV - 2)])
  if started >= left then
    redis.call('SET', KEYS[2], cjson.encode({failures = count}), 'PX', started)
  else
    started = 0 -- a longer lock is already running: nothing started, nobody to tell
  end
end
return {count, left, started}`;

// Takes back one attempt that was never judged; the lock goes only if that attempt started it
// and nothing was counted after it (a later attempt may already have been refused by that lock,
// and stays counted: deleting the lock then would let the next tries reach the hash).
// KEYS: counter, lock. ARGV: the attempt's count.
export const UNCOUNT_ATTEMPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if count > 0 then redis.call('DECR', KEYS[1]) end
local lock = redis.call('GET', KEYS[2])
if lock and count == tonumber(ARGV[1]) and tonumber(cjson.decode(lock).failures) == count then
  redis.call('DEL', KEYS[2])
end
return 1`;
