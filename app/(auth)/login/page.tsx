import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/app/ui/auth-card';
import { readNotice } from '@/app/ui/notices';
import { getCurrentUser } from '@/lib/web/current-user';
import { readFlash } from '@/lib/web/form-flash';
import { PasswordForm } from './password-form';
import { PASSWORD_FORM } from './password-form-name';

export const metadata: Metadata = { title: 'Sign in' };

const notices = {
  expired: { tone: 'info', text: 'Your sign-in has expired. Start again.' },
  'signed-out': { tone: 'info', text: 'You have signed out.' },
  'password-set': {
    tone: 'info',
    text: 'Your password is set. Sign in with it; we will then send you a security code.',
  },
} as const;

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string | string[] }>;
}) {
  const user = await getCurrentUser().catch(() => null);
  if (user) redirect('/account');
  const { notice } = await searchParams;
  // What a sign-in posted without JavaScript left for this page: its message, the username.
  const flash = await readFlash(PASSWORD_FORM);
  return (
    <AuthCard title="Sign in">
      {/* Only this table's own texts: a word such as `constructor` names nothing here. */}
      <PasswordForm notice={readNotice(notices, notice)?.text} initial={flash} />
    </AuthCard>
  );
}
