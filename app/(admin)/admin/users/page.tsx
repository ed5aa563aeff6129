import type { Metadata } from 'next';
import Link from 'next/link';
import { inputClass, secondaryButtonClass } from '@/app/ui/auth-card';
import { requireAdmin } from '@/lib/web/current-user';
import { listUsers, type UserListItem } from '@/lib/admin/list-users';
import { formatPhone } from '@/lib/users/phone';
import { cellClass, headCellClass, linkClass, primaryLinkClass } from '../styles';
import { When } from './when';

export const metadata: Metadata = { title: 'Users' };

const PAGE_SIZE = 25;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string | string[]; page?: string | string[] }>;
}) {
  await requireAdmin();
  const params = await searchParams;
  const list = await listUsers({
    query: first(params.q),
    page: Number(first(params.page)) || 1,
    pageSize: PAGE_SIZE,
  });
  const pageHref = (page: number) =>
    `/admin/users?${new URLSearchParams({ ...(list.query ? { q: list.query } : {}), page: String(page) })}`;
  const from = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const to = Math.min(list.total, list.page * list.pageSize);

  return (
    <main>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <h1 id="users-title" className="text-2xl font-semibold">
          Users
        </h1>
        <Link href="/admin/users/new" className={primaryLinkClass}>
          New user
        </Link>
      </div>

      <form
        role="search"
        method="get"
        action="/admin/users"
        className="mb-6 flex max-w-xl items-end gap-2"
      >
        <div className="grow">
          <label htmlFor="q" className="mb-1 block text-sm font-medium text-slate-700">
            Search users
          </label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={list.query}
            maxLength={100}
            aria-describedby="q-hint"
            className={inputClass}
          />
          <p id="q-hint" className="mt-1 text-sm text-slate-600">
            Username, name, email or phone number.
          </p>
        </div>
        <button type="submit" className={`${secondaryButtonClass} mb-7`}>
          Search
        </button>
      </form>

      <p className="mb-3 text-sm text-slate-700" role="status">
        {list.total === 0
          ? list.query
            ? 'No users match this search.'
            : 'There are no users yet.'
          : `Showing ${from}–${to} of ${list.total} ${list.total === 1 ? 'user' : 'users'}${list.query ? ' matching the search' : ''}.`}
      </p>

      {list.users.length > 0 && (
        <div className="mb-6 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table aria-labelledby="users-title" className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
              <tr>
                {[
                  'Username',
                  'Name',
                  'Email',
                  'Phone',
                  'Role',
                  'Two-step sign-in',
                  'Status',
                  'Last sign-in',
                ].map((h) => (
                  <th key={h} scope="col" className={headCellClass}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {list.users.map((user) => (
                <UserRow key={user.id} user={user} />
              ))}
            </tbody>
          </table>
        </div>
      )}

      {list.pageCount > 1 && (
        <nav aria-label="Pages" className="flex items-center gap-3 text-sm">
          {list.page > 1 ? (
            <Link href={pageHref(list.page - 1)} className={secondaryButtonClass}>
              Previous page
            </Link>
          ) : null}
          <span>
            Page {list.page} of {list.pageCount}
          </span>
          {list.page < list.pageCount ? (
            <Link href={pageHref(list.page + 1)} className={secondaryButtonClass}>
              Next page
            </Link>
          ) : null}
        </nav>
      )}
    </main>
  );
}

function UserRow({ user }: { user: UserListItem }) {
  return (
    <tr>
      <th scope="row" className={`${cellClass} font-medium`}>
        <Link href={`/admin/users/${user.id}`} className={`${linkClass} break-all`}>
          {user.username}
        </Link>
      </th>
      <td className={`${cellClass} break-words`}>{user.name ?? ''}</td>
      <td className={`${cellClass} break-all`}>{user.email}</td>
      <td className={`${cellClass} whitespace-nowrap`}>
        {user.phone ? formatPhone(user.phone) : 'None'}
      </td>
      <td className={cellClass}>{user.role === 'admin' ? 'Admin' : 'User'}</td>
      <td className={cellClass}>{user.twoFactor ? 'On' : 'Off'}</td>
      <td className={cellClass}>
        {user.disabled ? <strong className="text-red-800">Disabled</strong> : 'Active'}
      </td>
      <td className={`${cellClass} whitespace-nowrap`}>
        <When at={user.lastSignInAt} />
      </td>
    </tr>
  );
}
