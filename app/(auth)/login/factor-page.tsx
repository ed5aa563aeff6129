import { redirect } from 'next/navigation';
import { AuthCard, secondaryButtonClass } from '@/app/ui/auth-card';
import { UNAVAILABLE_MESSAGE } from '@/lib/auth/form-state';
import type { SignInFactor } from '@/lib/auth/sign-in-factor';
import { getPendingSignIn } from '@/lib/web/pending-sign-in';
import { ExpiredSignIn, Unavailable } from './expired-sign-in';
import { FactorForm } from './factor-form';

const words: Record<SignInFactor, { title: string; intro: string }> = {
  'authenticator-app': {
    title: 'Enter the app code',
    intro: 'Open your authenticator app and enter the 6-digit code it shows for Latchkey.',
  },
  'backup-code': {
    title: 'Enter a backup code',
    intro: 'Enter one of the backup codes you saved. Each code works once.',
  },
};

/** Step 3 with a factor the person holds; only offered when the account has it. */
export async function FactorPage({ factor }: { factor: SignInFactor }) {
  let pending;
  try {
    pending = await getPendingSignIn();
  } catch (error) {
    console.error('sign-in: factor page could not read the pending sign-in', error);
    return <Unavailable message={UNAVAILABLE_MESSAGE} />;
  }
  if (!pending) return <ExpiredSignIn />;
  const has = factor === 'authenticator-app' ? pending.factors.app : pending.factors.backupCodes;
  if (!has) redirect('/login/method');
  return (
    <AuthCard title={words[factor].title}>
      <p className="mb-5 text-sm text-slate-700">{words[factor].intro}</p>
      <FactorForm factor={factor} />
      <div className="mt-6 border-t border-slate-200 pt-5">
        <a href="/login/method" className={secondaryButtonClass}>
          Choose another method
        </a>
      </div>
    </AuthCard>
  );
}
