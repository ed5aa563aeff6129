import Link from 'next/link';
import { secondaryButtonClass } from '@/app/ui/auth-card';
import { signOutAction } from './actions';

/** The bar above every account sub-page: back to the account page, and Sign out. */
export function AccountHeader() {
  return (
    <header className="mb-8 flex items-center justify-between">
      <p className="text-sm font-semibold tracking-wide text-indigo-700 uppercase">Latchkey</p>
      <div className="flex items-center gap-3">
        <nav aria-label="Account">
          <Link href="/account" className={secondaryButtonClass}>
            Your account
          </Link>
        </nav>
        <form action={signOutAction}>
          <button type="submit" className={secondaryButtonClass}>
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
