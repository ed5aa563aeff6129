import type { Metadata } from 'next';
import { AuthCard, buttonClass, FormMessage } from '@/app/ui/auth-card';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR } from '@/lib/auth/password-policy';
import { findPasswordReset } from '@/lib/auth/password-reset';
import { NewPasswordForm } from '@/app/ui/new-password-form';
import { resetPasswordAction } from './actions';

// The token is in the address: no Referer may carry it to another site.
export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };

const linkClass = 'font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900';

// Opening the link only reads it (a mail scanner may open it); the form's POST uses it (SE-08).
export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[]; done?: string | string[] }>;
}) {
  const { token: tokenParam, done } = await searchParams;
  const token = typeof tokenParam === 'string' ? tokenParam : '';
  if (done === '1') {
    // RC-03: the reset signed nobody in; the next sign-in asks for the password and a code.
    return (
      <AuthCard title="Password changed">
        <FormMessage tone="info">
          Your password was changed. Every session was signed out and every trusted browser will ask
          for a code again.
        </FormMessage>
        <p className="mb-6 text-sm text-slate-700">
          Sign in with your new password; we will send you a security code as usual.
        </p>
        <a href="/login" className={`${buttonClass} block text-center`}>
          Go to sign in
        </a>
      </AuthCard>
    );
  }
  const link = await findPasswordReset(getAccountSecurityDeps(), token);
  if (!link.ok) {
    return (
      <AuthCard title="Choose a new password">
        <FormMessage>
          This link does not work: it may have expired, been used already, or been replaced by a
          newer one.
        </FormMessage>
        <p className="text-sm">
          <a href="/forgot-password" className={linkClass}>
            Ask for a new link
          </a>
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose a new password">
      <NewPasswordForm
        action={resetPasswordAction}
        submitLabel="Set new password"
        token={token}
        username={link.username}
        minLength={PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR}
      />
    </AuthCard>
  );
}
