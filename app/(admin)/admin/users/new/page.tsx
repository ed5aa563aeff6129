import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/auth/current-user';
import { env } from '@/lib/env';
import { cardClass, linkClass } from '../../styles';
import { createUserAction } from '../actions';
import { UserForm } from '../user-form';

export const metadata: Metadata = { title: 'New user' };

const blank = { username: '', name: '', email: '', phone: '', role: 'user', twoFactor: '1', disabled: '' };

export default async function NewUserPage() {
  await requireAdmin();
  return (
    <main>
      <p className="mb-2 text-sm"><Link href="/admin/users" className={linkClass}>Users</Link></p>
      <h1 className="mb-2 text-2xl font-semibold">New user</h1>
      <p className="mb-6 max-w-2xl text-slate-700">
        The user gets no password here: they set their own from an invitation. Many users at once? Use the User Upload.
      </p>
      <section aria-label="User information" className={cardClass}>
        <UserForm action={createUserAction} initial={blank} submitLabel="Create user" region={env.PHONE_DEFAULT_REGION} />
      </section>
    </main>
  );
}
