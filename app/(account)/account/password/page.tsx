import type { Metadata } from 'next';
import { FormMessage } from '@/app/ui/auth-card';
import { requireUser } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { viewFreshCode } from '@/lib/auth/fresh-code';
import { PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR } from '@/lib/auth/password-policy';
import { FreshCodeSection } from '../_fresh-code/fresh-code-section';
import { ChangePasswordForm } from './change-password-form';
import { AccountHeader } from '../account-header';

export const metadata: Metadata = { title: 'Change password' };

const card = 'mb-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm';

export default async function ChangePasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string | string[]; fresh?: string | string[] }>;
}) {
  const user = await requireUser();
  const view = await viewFreshCode(getAccountSecurityDeps(), user.id);
  const { notice, fresh } = await searchParams;

  return (
    <main className="mx-auto max-w-2xl px-4 py-12">
      <AccountHeader />
      <h1 className="mb-6 text-2xl font-semibold">Change password</h1>
      {notice === 'changed' && (
        <FormMessage tone="info">
          Your password was changed. Your other sessions were signed out, and your trusted devices
          will ask for a security code at their next sign-in. We sent a notice to your email
          address.
        </FormMessage>
      )}
      <section
        aria-labelledby={view.freshUntil ? 'change-title' : 'password-fresh-title'}
        className={card}
      >
        {view.freshUntil ? (
          <>
            <h2 id="change-title" className="mb-2 text-lg font-semibold">
              Choose a new password
            </h2>
            <p className="mb-5 text-sm text-slate-700">
              Changing it signs out your other sessions and ends trust on every browser, so each
              asks for a security code again.
            </p>
            <ChangePasswordForm
              username={user.username}
              minLength={PASSWORD_MIN_CODE_POINTS_SINGLE_FACTOR}
            />
          </>
        ) : (
          <FreshCodeSection
            page="password"
            email={user.email}
            view={view}
            fresh={fresh}
            purpose="change your password"
          />
        )}
      </section>
      <p className="text-sm text-slate-700">
        Your password never expires, and Latchkey never asks security questions: change it when you
        think someone else may know it.
      </p>
    </main>
  );
}
