import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { adminUserFreshCodePage } from '@/app/(account)/account/_fresh-code/fresh-code-wording';
import { FormMessage } from '@/app/ui/auth-card';
import { requireAdmin } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { viewFreshCode } from '@/lib/auth/fresh-code';
import { env } from '@/lib/env';
import { getUserDetail } from '@/lib/admin/get-user-detail';
import { formatPhone } from '@/lib/users/phone';
import { cardClass, linkClass, smallButtonClass } from '../../styles';
import { inviteUserAction, updateUserAction } from '../actions';
import { ConfirmAdmin } from '../confirm-admin';
import { UserForm } from '../user-form';
import { readUserNotice } from '../user-notices';
import { When } from '../when';
import { AccountLock } from './account-lock';
import { SecondFactors } from './second-factors';
import { AuditEvents } from './audit-events';
import { UserDevices } from './user-devices';
import { UserSessions } from './user-sessions';

export const metadata: Metadata = { title: 'Edit user' };

type SearchParams = Promise<{ notice?: string | string[]; fresh?: string | string[] }>;

export default async function EditUserPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: SearchParams;
}) {
  const admin = await requireAdmin();
  const { id } = await params;
  const user = /^[\w-]{1,64}$/.test(id) ? await getUserDetail(id) : null;
  if (!user) notFound();
  const query = await searchParams;
  const notice = readUserNotice(query.notice);
  const freshCode = await viewFreshCode(getAccountSecurityDeps(), admin.id);
  const initial = {
    username: user.username,
    name: user.name ?? '',
    email: user.email,
    phone: user.phone ? formatPhone(user.phone) : '',
    role: user.role,
    twoFactor: user.twoFactor ? '1' : '',
    disabled: user.disabled ? '1' : '',
  };

  return (
    <main>
      <p className="mb-2 text-sm">
        <Link href="/admin/users" className={linkClass}>
          Users
        </Link>
      </p>
      <h1 className="mb-2 text-2xl font-semibold break-all">{user.username}</h1>
      <p className="mb-6 text-sm text-slate-700">
        Created <When at={user.createdAt} />. Last sign-in: <When at={user.lastSignInAt} />.{' '}
        {user.phone
          ? user.phoneVerifiedAt
            ? 'Phone verified.'
            : 'Phone not yet verified by a code.'
          : 'No phone.'}
      </p>
      {notice && <FormMessage tone={notice.tone}>{notice.text}</FormMessage>}

      <ConfirmAdmin
        page={adminUserFreshCodePage(user.id)}
        adminEmail={admin.email}
        view={freshCode}
        fresh={query.fresh}
        purpose="change this user’s email, phone, two-step sign-in, role or status, reset their two-step methods, revoke their devices, unlock them or sign them out everywhere"
      />

      <section aria-labelledby="info-title" className={`${cardClass} mb-8`}>
        <h2 id="info-title" className="mb-4 text-lg font-semibold">
          User information
        </h2>
        <p className="mb-4 max-w-xl text-sm text-slate-700">
          A new email or phone ends the user&apos;s trusted devices and is announced to the old
          email address. Disabling ends their sessions and trusted devices at once.
        </p>
        {/* Re-mounted after each save, so the form starts from what was stored, not what was typed. */}
        <UserForm
          key={user.updatedAt.toISOString()}
          action={updateUserAction.bind(null, user.id)}
          initial={initial}
          submitLabel="Save changes"
          region={env.PHONE_DEFAULT_REGION}
        />
      </section>

      <section aria-labelledby="invite-title" className={`${cardClass} mb-8`}>
        <h2 id="invite-title" className="mb-2 text-lg font-semibold">
          Invitation
        </h2>
        <p className="mb-4 max-w-xl text-sm text-slate-700">
          Admins never set passwords. The invitation email carries a single-use link with which the
          user sets their own; sending a new one ends the links sent before.
        </p>
        <form action={inviteUserAction}>
          <input type="hidden" name="userId" value={user.id} />
          <button type="submit" className={smallButtonClass}>
            Email an invitation to set a password
          </button>
        </form>
      </section>

      <SecondFactors userId={user.id} methods={user.methods} />
      <AccountLock userId={user.id} />
      <UserSessions userId={user.id} />
      <UserDevices userId={user.id} devices={user.devices} />
      <AuditEvents events={user.events} />
    </main>
  );
}
