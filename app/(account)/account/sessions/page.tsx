import type { Metadata } from 'next';
import { FormMessage } from '@/app/ui/auth-card';
import { getCurrentSessionId, requireUser } from '@/lib/web/current-user';
import { listSessions, type SessionView } from '@/lib/auth/sessions/manage-sessions';
import { env } from '@/lib/env';
import { dangerButtonClass, disclosureClass } from '../trusted-devices/styles';
import { signOutOtherSessionsAction, signOutSessionAction } from './actions';
import { readSessionNotice } from './session-notices';
import { AccountHeader } from '../account-header';

export const metadata: Metadata = { title: 'Your sessions' };

// One fixed zone, named on screen, as on My Trusted Devices.
const dateFormat = new Intl.DateTimeFormat('en', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});
const When = ({ at }: { at: Date }) => (
  <time dateTime={at.toISOString()}>{dateFormat.format(at)} UTC</time>
);
const hours = (n: number) => `${n} ${n === 1 ? 'hour' : 'hours'}`;

export default async function SessionsPage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string | string[] }>;
}) {
  const user = await requireUser();
  const sessions = await listSessions(user.id, await getCurrentSessionId());
  const notice = readSessionNotice((await searchParams).notice);
  const others = sessions.filter((s) => !s.isCurrent).length;

  return (
    <main className="mx-auto max-w-6xl px-4 py-12">
      <AccountHeader />
      <h1 id="sessions-title" className="mb-2 text-2xl font-semibold">
        Your sessions
      </h1>
      <p className="mb-6 max-w-3xl text-slate-700">
        Browsers where <strong>{user.username}</strong> is signed in now. Sign out any you do not
        recognise, then change your password.
      </p>
      {notice && <FormMessage tone={notice.tone}>{notice.text}</FormMessage>}

      <div className="mb-6 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table aria-labelledby="sessions-title" className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
            <tr>
              {['Browser', 'OS', 'IP address', 'Started', 'Last active', 'Action'].map((h) => (
                <th key={h} scope="col" className="px-3 py-3 font-medium whitespace-nowrap">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {sessions.map((session) => (
              <SessionRow key={session.id} session={session} />
            ))}
          </tbody>
        </table>
      </div>

      {others > 0 && (
        <details className="mb-8">
          <summary className={disclosureClass}>Sign out everywhere else</summary>
          <form
            action={signOutOtherSessionsAction}
            className="mt-3 max-w-xl space-y-3 rounded-xl border border-red-200 bg-red-50 p-4"
          >
            <p className="text-sm text-red-900">
              {others === 1 ? 'One other session' : `${others} other sessions`} will be signed out
              at once. This browser stays signed in.
            </p>
            <button type="submit" className={dangerButtonClass}>
              Yes, sign out everywhere else
            </button>
          </form>
        </details>
      )}

      <section
        aria-labelledby="how-title"
        className="max-w-3xl rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-700 shadow-sm"
      >
        <h2 id="how-title" className="mb-2 text-base font-semibold text-slate-900">
          When sessions end
        </h2>
        <p>
          A session ends when you sign out, after {env.SESSION_IDLE_MINUTES} minutes without
          activity, and {hours(env.SESSION_MAX_AGE_HOURS)} after it started, whatever you do.
          Changing or resetting your password signs out your other sessions; an administrator can
          sign you out everywhere. “Last active” is updated at most once a minute.
        </p>
      </section>
    </main>
  );
}

function SessionRow({ session }: { session: SessionView }) {
  const cell = 'px-3 py-3 align-top';
  const label = `${session.browser ?? 'Unknown browser'} on ${session.os ?? 'unknown OS'}`;
  return (
    <tr>
      <th scope="row" className={`${cell} font-medium text-slate-900`}>
        {session.browser ?? 'Unknown'}
        {session.isCurrent && (
          <span className="mt-1 block w-fit rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-semibold whitespace-nowrap text-indigo-800">
            This session
          </span>
        )}
      </th>
      <td className={cell}>{session.os ?? 'Unknown'}</td>
      <td className={`${cell} font-mono`}>{session.ip ?? 'Unknown'}</td>
      <td className={`${cell} min-w-28`}>
        <When at={session.createdAt} />
      </td>
      <td className={`${cell} min-w-28`}>
        <When at={session.lastSeenAt} />
      </td>
      <td className={cell}>
        {session.isCurrent ? (
          <span className="text-slate-600">Use “Sign out” above</span>
        ) : (
          <form action={signOutSessionAction}>
            <input type="hidden" name="sessionId" value={session.id} />
            <button type="submit" className={dangerButtonClass}>
              Sign out
              <span className="sr-only">
                {' '}
                {label}, started {dateFormat.format(session.createdAt)}
              </span>
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}
