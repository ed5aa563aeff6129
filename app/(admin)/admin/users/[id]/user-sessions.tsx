import { countLiveSessions } from '@/lib/auth/sessions/manage-sessions';
import { cardClass } from '../../styles';
import { SignOutEverywhereForm } from './sign-out-everywhere-form';

/** How many sessions the user has now, and the admin's "sign out everywhere" (SE-06). */
export async function UserSessions({ userId }: { userId: string }) {
  const count = await countLiveSessions(userId);
  return (
    <section id="sessions" aria-labelledby="sessions-title" className={`${cardClass} mb-8`}>
      <h2 id="sessions-title" className="mb-2 text-lg font-semibold">
        Sessions
      </h2>
      <p className="mb-4 max-w-xl text-sm text-slate-700">
        {count === 0
          ? 'Not signed in anywhere right now.'
          : `Signed in on ${count} ${count === 1 ? 'browser' : 'browsers'} right now.`}{' '}
        Signing out everywhere ends every session at its next request; trusted devices stay trusted,
        and the password is still needed.
      </p>
      <SignOutEverywhereForm userId={userId} />
    </section>
  );
}
