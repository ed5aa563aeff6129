import type { RequestInfo } from '@/lib/audit/request-info';
import { retryAfterSeconds } from '@/lib/rate-limit/rate-limiter';
import { challengeKeys, readChallenge, type Challenge } from './challenge';
import {
  ACCOUNT_CODE_FAILURE_WINDOW_MS,
  codeFailuresKey,
  isAccountCodeLocked,
  wrongCodesKey,
  type ChallengeDeps,
} from './challenge-deps';
import type { CheckCodeResult } from './check-code';
import { tellOwnerOfWrongCodes, WRONG_CODE_WINDOW_MS } from './wrong-code-notice';

// A challenge answered by a factor the person holds rather than a code we sent: an
// authenticator app's code or a backup code. The factor itself decides match or mismatch (its
// own store keeps single use: a TOTP step, a backup code); this module keeps what every code
// shares — the account's lock (OTP-05), the challenge's tries, the account's wrong-code count and
// the owner's notice (OTP-13) — so a guess at an app code costs exactly what a guess at an email
// code costs.

export type FactorVerdict = 'match' | 'mismatch';

export async function checkChallengeFactor<T extends Challenge>(
  deps: ChallengeDeps,
  input: {
    id: string | undefined;
    purpose: T['purpose'];
    /** Which factor answered, for the audit trail. */
    factor: string;
    /** Whether the entry has the factor's form at all: a malformed one is no guess, costs no try. */
    wellFormed: boolean;
    /** Called once the try is counted; only a match may use the factor up. */
    verify: (userId: string) => Promise<FactorVerdict>;
    /** On a match, keep a verified copy of the record this long (the device-name step's). */
    verifiedTtlMs?: number | null;
    /** Written on the verified copy. */
    verified?: Partial<T>;
  } & RequestInfo,
): Promise<CheckCodeResult<T>> {
  const { store } = deps;
  const now = deps.now();
  const challenge = await readChallenge<T>(store, input.id, input.purpose, now);
  if (!challenge || !input.id) return { ok: false, reason: 'no-challenge' };
  const keys = challengeKeys(input.id);
  if (await isAccountCodeLocked(store, challenge.userId))
    return { ok: false, reason: 'locked', challenge };
  const who = { userId: challenge.userId, ip: input.ip, userAgent: input.userAgent };
  const detail = { purpose: challenge.purpose, factor: input.factor };

  if (!input.wellFormed) return { ok: false, reason: 'malformed', challenge };
  const limit = deps.limits.policies['code-try-challenge'].limit;
  const tries = await store.increment(keys.tries, Math.max(1, challenge.expiresAt - now));
  if (tries > limit) {
    await deps.audit({
      type: 'ratelimit.hit',
      ...who,
      detail: { ...detail, policy: 'code-try-challenge', step: 'code' },
    });
    const retry = retryAfterSeconds(challenge.expiresAt, now);
    return { ok: false, reason: 'limited', retryAfterSeconds: retry, challenge };
  }
  if ((await input.verify(challenge.userId)) === 'mismatch') {
    const [, wrongCodes] = await Promise.all([
      store.increment(codeFailuresKey(challenge.userId), ACCOUNT_CODE_FAILURE_WINDOW_MS),
      store.increment(wrongCodesKey(challenge.userId), WRONG_CODE_WINDOW_MS),
    ]);
    await deps.audit({ type: 'code.rejected', ...who, detail });
    // After the response: its timing must not tell the guesser anything (BF-04).
    deps.defer(() => tellOwnerOfWrongCodes(deps, { ...who, wrongCodes }));
    const attemptsLeft = Math.max(0, limit - tries);
    return { ok: false, reason: 'mismatch', attemptsLeft, challenge };
  }

  // Of concurrent matches (a code typed twice) one takes the challenge; the rest find none.
  const taken = await store.take<T>(keys.record);
  if (!taken) return { ok: false, reason: 'no-challenge' };
  await Promise.all(
    [keys.code, keys.cooldown, keys.tries, codeFailuresKey(challenge.userId)].map((key) =>
      store.delete(key),
    ),
  );
  if (input.verifiedTtlMs) {
    const ttl = input.verifiedTtlMs;
    const verifiedRecord = { ...taken, ...input.verified, stage: 'verified', expiresAt: now + ttl };
    await store.put(keys.verified, verifiedRecord, ttl);
  }
  return { ok: true, challenge: taken };
}
