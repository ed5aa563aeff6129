import type { Metadata } from 'next';
import Link from 'next/link';
import { requireUser } from '@/lib/web/current-user';
import { secondaryButtonClass } from '@/app/ui/auth-card';
import { signOutAction } from './actions';

export const metadata: Metadata = { title: 'Your account' };

export default async function AccountPage() {
  const user = await requireUser();
  return (
    <main className="mx-auto max-w-2xl px-4 py-12">
      <header className="mb-8 flex items-center justify-between">
        <p className="text-sm font-semibold tracking-wide text-indigo-700 uppercase">Latchkey</p>
        <form action={signOutAction}>
          <button type="submit" className={secondaryButtonClass}>
            Sign out
          </button>
        </form>
      </header>
      <h1 className="mb-2 text-2xl font-semibold">Your account</h1>
      <p className="mb-6 text-slate-700">
        Signed in as <strong data-testid="signed-in-user">{user.username}</strong>
        {user.name ? <> ({user.name})</> : null}.
      </p>
      <dl className="grid grid-cols-[8rem_1fr] gap-y-2 rounded-xl border border-slate-200 bg-white p-6 text-sm shadow-sm">
        <dt className="text-slate-600">Email</dt>
        <dd>{user.email}</dd>
        <dt className="text-slate-600">Phone</dt>
        <dd>{user.phone ?? 'None'}</dd>
        <dt className="text-slate-600">Role</dt>
        <dd>{user.role}</dd>
        <dt className="text-slate-600">Two-step sign-in</dt>
        <dd>{user.twoFactor ? 'On' : 'Off'}</dd>
      </dl>
      <nav aria-label="Account pages" className="mt-6 flex flex-wrap gap-3">
        <Link href="/account/trusted-devices" className={secondaryButtonClass}>
          My Trusted Devices
        </Link>
        <Link href="/account/two-step" className={secondaryButtonClass}>
          Two-step sign-in
        </Link>
        <Link href="/account/profile" className={secondaryButtonClass}>
          Profile
        </Link>
        <Link href="/account/sessions" className={secondaryButtonClass}>
          Sessions
        </Link>
        <Link href="/account/password" className={secondaryButtonClass}>
          Change password
        </Link>
        {user.role === 'admin' && (
          <Link href="/admin" className={secondaryButtonClass}>
            Admin
          </Link>
        )}
      </nav>
    </main>
  );
}
