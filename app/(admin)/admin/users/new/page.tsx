import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { viewFreshCode } from '@/lib/auth/fresh-code';
import { env } from '@/lib/env';
import { cardClass, linkClass } from '../../styles';
import { createUserAction } from '../actions';
import { ConfirmAdmin } from '../confirm-admin';
import { UserForm } from '../user-form';

export const metadata: Metadata = { title: 'New user' };

const blank = {
  username: '',
  name: '',
  email: '',
  phone: '',
  role: 'user',
  twoFactor: '1',
  disabled: '',
};

export default async function NewUserPage({
  searchParams,
}: {
  searchParams: Promise<{ fresh?: string | string[] }>;
}) {
  const admin = await requireAdmin();
  const freshCode = await viewFreshCode(getAccountSecurityDeps(), admin.id);
  return (
    <main>
      <p className="mb-2 text-sm">
        <Link href="/admin/users" className={linkClass}>
          Users
        </Link>
      </p>
      <h1 className="mb-2 text-2xl font-semibold">New user</h1>
      <p className="mb-6 max-w-2xl text-slate-700">
        The user gets no password here: they set their own from an invitation. Many users at once?
        Use the User Upload.
      </p>
      {/* Only an admin account needs the code (decision 12): a plain user gets no rights over anyone. */}
      <ConfirmAdmin
        page="admin-new-user"
        adminEmail={admin.email}
        view={freshCode}
        fresh={(await searchParams).fresh}
        purpose="create a user with the admin role"
      />
      <section aria-label="User information" className={cardClass}>
        <UserForm
          action={createUserAction}
          initial={blank}
          submitLabel="Create user"
          region={env.PHONE_DEFAULT_REGION}
        />
      </section>
    </main>
  );
}
