import type { RequestInfo } from '@/lib/audit/request-info';
import { retryAfterSeconds } from '@/lib/rate-limit/rate-limiter';
import { challengeKeys, isWellFormedChallengeId, type Challenge } from './challenge';
import {
  ACCOUNT_CODE_FAILURE_LIMIT,
  ACCOUNT_CODE_FAILURE_WINDOW_MS,
  codeFailuresKey,
  wrongCodesKey,
  type ChallengeDeps,
  type Limited,
} from './challenge-deps';
import { hashCode, isWellFormedCode } from './code';
import { tellOwnerOfWrongCodes, WRONG_CODE_WINDOW_MS } from './wrong-code-notice';

// Checking a code, for every purpose, in one store operation (one Redis round trip): the
// challenge and its stage, the account's wrong-code counter (OTP-05), the challenge's tries, the
// attempt, and on a match the clean-up. Wrong codes count against the account whatever they were
// for, and its owner hears of them (OTP-13).

export type CheckCodeResult<T> =
  | { ok: true; challenge: T }
  | { ok: false; reason: 'no-challenge' }
  | { ok: false; reason: 'no-code' | 'malformed' | 'expired' | 'burnt' | 'locked'; challenge: T }
  | { ok: false; reason: 'mismatch'; attemptsLeft: number; challenge: T }
  | (Limited & { challenge: T });

export async function checkChallengeCode<T extends Challenge>(
  deps: ChallengeDeps,
  input: {
    id: string | undefined;
    purpose: T['purpose'];
    code: string;
    /** On a match, keep a verified copy of the record this long (the device-name step's). */
    verifiedTtlMs?: number | null;
    trustRequested?: boolean;
  } & RequestInfo,
): Promise<CheckCodeResult<T>> {
  const { id } = input;
  if (!isWellFormedChallengeId(id)) return { ok: false, reason: 'no-challenge' };
  const now = deps.now();
  const code = input.code.trim();
  const keys = challengeKeys(id);
  const result = await deps.store.checkCode<T>({
    purpose: input.purpose,
    recordKey: keys.record,
    codeKey: keys.code,
    cooldownKey: keys.cooldown,
    triesKey: keys.tries,
    verifiedKey: keys.verified,
    failuresKeyPrefix: codeFailuresKey(''),
    wrongCodesKeyPrefix: wrongCodesKey(''),
    // A malformed entry (not six digits) cannot be a guess at the code: it costs no try.
    codeHash: isWellFormedCode(code) ? hashCode(deps.hmacKey, id, code) : null,
    nowMs: now,
    accountFailureLimit: ACCOUNT_CODE_FAILURE_LIMIT,
    accountFailureWindowMs: ACCOUNT_CODE_FAILURE_WINDOW_MS,
    wrongCodeWindowMs: WRONG_CODE_WINDOW_MS,
    challengeTryLimit: deps.limits.policies['code-try-challenge'].limit,
    verifiedTtlMs: input.verifiedTtlMs ?? null,
    trustRequested: !!input.trustRequested,
  });
  if (result.outcome === 'no-challenge') return { ok: false, reason: 'no-challenge' };
  const challenge = result.record;
  const who = { userId: challenge.userId, ip: input.ip, userAgent: input.userAgent };
  const detail = { purpose: challenge.purpose, channel: challenge.channel ?? null };
  switch (result.outcome) {
    case 'match':
      return { ok: true, challenge };
    case 'no-code':
    case 'locked':
    case 'malformed':
      return { ok: false, reason: result.outcome, challenge };
    case 'limited':
      await deps.audit({
        type: 'ratelimit.hit',
        ...who,
        detail: { ...detail, policy: 'code-try-challenge', step: 'code' },
      });
      return {
        ok: false,
        reason: 'limited',
        retryAfterSeconds: retryAfterSeconds(challenge.expiresAt, now),
        challenge,
      };
    case 'mismatch': {
      const burnt = result.attemptsLeft <= 0;
      await deps.audit({ type: burnt ? 'code.burnt' : 'code.rejected', ...who, detail });
      const wrongCodes = result.wrongCodes;
      // After the response: its timing must not tell the guesser anything (BF-04).
      deps.defer(() => tellOwnerOfWrongCodes(deps, { ...who, wrongCodes }));
      return burnt
        ? { ok: false, reason: 'burnt', challenge }
        : { ok: false, reason: 'mismatch', attemptsLeft: result.attemptsLeft, challenge };
    }
    case 'expired':
      await deps.audit({ type: 'code.expired', ...who, detail });
      return { ok: false, reason: 'expired', challenge };
    case 'missing':
      // A code swept away by its TTL reads as missing; the person should hear "expired".
      return challenge.codeExpiresAt && challenge.codeExpiresAt <= now
        ? { ok: false, reason: 'expired', challenge }
        : { ok: false, reason: 'no-code', challenge };
  }
}

/** Why an entered code was not taken, in the terms a page words for the person. */
export type CodeRefusal =
  | { ok: false; reason: 'no-code' | 'malformed' | 'expired' | 'burnt' | 'locked' }
  | { ok: false; reason: 'mismatch'; attemptsLeft: number }
  | Limited;

/** A check's refusal without the record: a missing challenge is "no code to check". */
export function toCodeRefusal<T>(result: Exclude<CheckCodeResult<T>, { ok: true }>): CodeRefusal {
  switch (result.reason) {
    case 'no-challenge':
      return { ok: false, reason: 'no-code' };
    case 'mismatch':
      return { ok: false, reason: 'mismatch', attemptsLeft: result.attemptsLeft };
    case 'limited':
      return { ok: false, reason: 'limited', retryAfterSeconds: result.retryAfterSeconds };
    default:
      return { ok: false, reason: result.reason };
  }
}
