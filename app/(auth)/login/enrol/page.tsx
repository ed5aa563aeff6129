import type { Metadata } from 'next';
import { AppSetupCode } from '@/app/ui/app-setup-code';
import { AuthCard } from '@/app/ui/auth-card';
import { viewEnrolment } from '@/lib/auth/sign-in-enrol';
import { UNAVAILABLE_MESSAGE } from '@/lib/auth/form-state';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { getSignInDeps } from '@/lib/web/wiring';
import { ExpiredSignIn, Unavailable } from '../expired-sign-in';
import { EnrolForm } from './enrol-form';

export const metadata: Metadata = { title: 'Set up an authenticator app' };

/** The sign-in's enrolment step: no session until the new app's first code. */
export default async function EnrolPage() {
  let setup;
  try {
    setup = await viewEnrolment(getSignInDeps(), await getTicketId());
  } catch (error) {
    console.error('sign-in: enrolment page could not read the pending sign-in', error);
    return <Unavailable message={UNAVAILABLE_MESSAGE} />;
  }
  if (!setup) return <ExpiredSignIn />;
  return (
    <AuthCard title="Set up an authenticator app">
      <p className="mb-4 text-sm text-slate-700">
        Your role signs in with a second step that does not go through your mailbox. Scan this QR
        code with an authenticator app (such as Google Authenticator, Microsoft Authenticator,
        1Password or Authy), then enter the 6-digit code it shows.
      </p>
      <AppSetupCode setup={setup} centered />
      <EnrolForm />
    </AuthCard>
  );
}
