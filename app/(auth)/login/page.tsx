import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/app/ui/auth-card';
import { getCurrentUser } from '@/lib/web/current-user';
import { PasswordForm } from './password-form';

export const metadata: Metadata = { title: 'Sign in' };

const notices: Record<string, string> = {
  expired: 'Your sign-in has expired. Start again.',
  'signed-out': 'You have signed out.',
  'password-set': 'Your password is set. Sign in with it; we will then send you a security code.',
};

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string }>;
}) {
  const user = await getCurrentUser().catch(() => null);
  if (user) redirect('/account');
  const { notice } = await searchParams;
  return (
    <AuthCard title="Sign in">
      <PasswordForm notice={notice ? notices[notice] : undefined} />
    </AuthCard>
  );
}
