import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/web/current-user';
import { navLinkClass } from './styles';

export const metadata: Metadata = {
  title: { default: 'Admin', template: '%s · Admin · Latchkey' },
};

// The menu is a convenience: each admin page and action calls requireAdmin() itself, because a
// layout does not run for server actions and may not re-run on client navigation.
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const admin = await requireAdmin();
  return (
    <div className="mx-auto max-w-6xl px-4 py-8">
      <header className="mb-8 flex flex-wrap items-center justify-between gap-4 border-b border-slate-200 pb-4">
        <p className="text-sm font-semibold tracking-wide text-indigo-700 uppercase">
          Latchkey <span className="text-slate-600 normal-case">admin · {admin.username}</span>
        </p>
        <nav aria-label="Admin">
          <ul className="flex flex-wrap gap-2">
            <li>
              <Link href="/admin" className={navLinkClass}>
                Overview
              </Link>
            </li>
            <li>
              <Link href="/admin/users" className={navLinkClass}>
                Users
              </Link>
            </li>
            <li>
              <Link href="/admin/users/upload" className={navLinkClass}>
                User Upload
              </Link>
            </li>
            <li>
              <Link href="/admin/audit" className={navLinkClass}>
                Audit log
              </Link>
            </li>
            <li>
              <Link href="/account" className={navLinkClass}>
                Your account
              </Link>
            </li>
          </ul>
        </nav>
      </header>
      {children}
    </div>
  );
}
