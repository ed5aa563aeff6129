import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard, FormMessage } from '@/app/ui/auth-card';
import { PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR } from '@/lib/auth/password-policy';
import { findInvitation } from '@/lib/invitations/redeem-invitation';
import { NewPasswordForm } from '@/app/ui/new-password-form';
import { setPasswordAction } from './actions';

export const metadata: Metadata = { title: 'Choose your password', referrer: 'no-referrer' };

const refusals = {
  invalid:
    'This invitation link is not valid. Check that you copied the whole link, or ask your administrator for a new one.',
  expired: 'This invitation link has expired. Ask your administrator to send a new one.',
  used: 'This invitation link has already been used. Sign in with the password you chose.',
} as const;

// Opening the link only reads (a mail scanner may open it); the form's POST uses it (SE-08).
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await findInvitation(token);
  if (!invitation.ok) {
    return (
      <AuthCard title="Choose your password">
        <FormMessage>{refusals[invitation.reason]}</FormMessage>
        <Link href="/login" className="font-medium text-indigo-700 underline">
          Go to sign in
        </Link>
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
