import type { Metadata } from 'next';
import { AuthCard, FormMessage } from '@/app/ui/auth-card';
import { env } from '@/lib/env';
import { ForgotPasswordForm } from './forgot-password-form';

export const metadata: Metadata = { title: 'Forgot your password?' };

const linkClass = 'font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900';

// RC-01, BF-04: after the form, every request sees the same words, whether or not an account
// matched; they never repeat what was typed.
export default async function ForgotPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ sent?: string | string[] }>;
}) {
  const { sent } = await searchParams;
  return (
    <AuthCard title="Forgot your password?">
      {sent === '1' ? (
        <>
          <FormMessage tone="info">
            If an account matches what you entered, we have sent a link to its email address. The
            link works once, for {env.PASSWORD_RESET_TTL_MINUTES} minutes.
          </FormMessage>
          <p className="mb-4 text-sm text-slate-700">
            After choosing a new password you sign in with it and a security code, as usual. No
            email? Check the spam folder, or ask again in a few minutes.
          </p>
        </>
      ) : (
        <ForgotPasswordForm />
      )}
      <p className="mt-6 text-sm">
        <a href="/login" className={linkClass}>
          Back to sign in
        </a>
      </p>
    </AuthCard>
  );
}
