import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard, secondaryButtonClass } from '@/app/ui/auth-card';
import { UNAVAILABLE_MESSAGE } from '@/lib/auth/form-state';
import { getPendingSignIn } from '@/lib/web/pending-sign-in';
import { ExpiredSignIn, Unavailable } from '../expired-sign-in';
import { PasskeyForm } from './passkey-form';

export const metadata: Metadata = { title: 'Use your passkey' };

/** Step 3 with a passkey; only offered when the account has one it may use. */
export default async function PasskeyPage() {
  let pending;
  try {
    pending = await getPendingSignIn();
  } catch (error) {
    console.error('sign-in: passkey page could not read the pending sign-in', error);
    return <Unavailable message={UNAVAILABLE_MESSAGE} />;
  }
  if (!pending) return <ExpiredSignIn />;
  if (!pending.factors.passkey) redirect('/login/method');
  return (
    <AuthCard title="Use your passkey">
      <p className="mb-5 text-sm text-slate-700">
        Your browser or phone will ask you to confirm with the passkey you added to Latchkey (your
        fingerprint, face, screen lock or security key).
      </p>
      <PasskeyForm />
      <div className="mt-6 border-t border-slate-200 pt-5">
        <a href="/login/method" className={secondaryButtonClass}>
          Choose another method
        </a>
      </div>
    </AuthCard>
  );
}
