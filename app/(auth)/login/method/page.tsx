import type { Metadata } from 'next';
import { AuthCard, FormMessage } from '@/app/ui/auth-card';
import { getPendingSignIn } from '@/lib/web/pending-sign-in';
import { UNAVAILABLE_MESSAGE } from '@/lib/auth/form-state';
import { MethodForm } from './method-form';
import { ExpiredSignIn, Unavailable } from '../expired-sign-in';

export const metadata: Metadata = { title: 'Choose a method' };

export default async function MethodPage() {
  let pending;
  try {
    pending = await getPendingSignIn();
  } catch (error) {
    console.error('sign-in: method page could not read the pending sign-in', error);
    return <Unavailable message={UNAVAILABLE_MESSAGE} />;
  }
  if (!pending) return <ExpiredSignIn />;
  return (
    <AuthCard title="Choose a method">
      {pending.enrolment && (
        <FormMessage tone="info">
          Your role needs a stronger second step than email. Confirm it’s you once with a code by
          email; then you will set up an authenticator app, which you will use from then on.
        </FormMessage>
      )}
      {pending.choices.length || pending.factors.app || pending.factors.passkey ? (
        <MethodForm
          choices={pending.choices}
          passkey={pending.factors.passkey}
          app={pending.factors.app}
          current={pending.ticket.channel}
        />
      ) : (
        <FormMessage>
          No way to send you a code is set up for this account. Contact your administrator.
        </FormMessage>
      )}
      {pending.factors.backupCodes && (
        <p className="mt-5 text-center text-sm">
          <a href="/login/backup-code" className="text-indigo-700 underline">
            Use a backup code
          </a>
        </p>
      )}
      <p className="mt-6 text-center text-sm">
        <a href="/login" className="text-indigo-700 underline">
          Sign in as someone else
        </a>
      </p>
    </AuthCard>
  );
}
