import { getAccountLock } from '@/lib/admin/unlock-account';
import { lockoutPolicy } from '@/lib/rate-limit/policies';
import { describeWait } from '@/lib/rate-limit/too-many-attempts';
import { cardClass } from '../../styles';
import { UnlockForm } from './unlock-form';

/** Sign-in lockout state (BF-01, OTP-05) and the admin's Unlock button. */
export async function AccountLock({ userId }: { userId: string }) {
  const lock = await getAccountLock(userId);
  if (!lock) return null;
  const attempts = (n: number) => `${n} failed password ${n === 1 ? 'attempt' : 'attempts'}`;
  const status =
    lock.lockedForMs !== null
      ? `Locked: sign-in is refused for ${describeWait(lock.lockedForMs / 1000)} more, after ${attempts(lock.failures)}.`
      : lock.failures > 0
        ? `Not locked. ${attempts(lock.failures)} counted (sign-in locks after every ${lockoutPolicy.threshold}).`
        : 'Not locked.';
  return (
    <section id="sign-in-lock" aria-labelledby="lock-title" className={`${cardClass} mb-8`}>
      <h2 id="lock-title" className="mb-2 text-lg font-semibold">
        Sign-in lock
      </h2>
      <p className="mb-2 text-sm text-slate-700" data-testid="lock-status">
        {status}
      </p>
      {lock.codesLocked && (
        <p className="mb-2 text-sm text-slate-700">
          Security codes are refused: {lock.codeFailures} wrong codes were entered.
        </p>
      )}
      <p className="mb-4 max-w-xl text-sm text-slate-700">
        Unlocking forgets the failed attempts, so the user can sign in at once. It is recorded in
        the audit log.
      </p>
      <UnlockForm
        userId={userId}
        canUnlock={lock.lockedForMs !== null || lock.failures > 0 || lock.codeFailures > 0}
      />
    </section>
  );
}
