import type { Metadata } from 'next';
import { AuthCard, FormMessage } from '@/app/ui/auth-card';
import { PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR } from '@/lib/auth/password-policy';
import { findInvitation } from '@/lib/invitations/redeem-invitation';
import { NewPasswordForm } from '@/app/ui/new-password-form';
import { setPasswordAction } from './actions';
import { invitationRefusals } from './invitation-refusals';

export const metadata: Metadata = { title: 'Choose your password', referrer: 'no-referrer' };

// Opening the link only reads (a mail scanner may open it); the form's POST uses it (SE-08).
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await findInvitation(token);
  if (!invitation.ok) {
    return (
      <AuthCard title="Choose your password">
        <FormMessage>{invitationRefusals[invitation.reason]}</FormMessage>
        <a href="/login" className="font-medium text-indigo-700 underline">
          Go to sign in
        </a>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose your password">
      <NewPasswordForm
        action={setPasswordAction}
        submitLabel="Set password"
        token={token}
        username={invitation.username}
        minLength={PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR}
      />
    </AuthCard>
  );
}
