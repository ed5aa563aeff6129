import type { Metadata } from 'next';
import Link from 'next/link';
import { AppSetupCode } from '@/app/ui/app-setup-code';
import { FormMessage } from '@/app/ui/auth-card';
import { viewFreshCode } from '@/lib/auth/fresh-code';
import { maskEmail, maskPhone } from '@/lib/delivery/mask-destination';
import { getAppStatus, viewPendingEnrolment } from '@/lib/factors/authenticator-app';
import { BACKUP_CODES_LOW, countBackupCodesLeft } from '@/lib/factors/backup-codes';
import { listPasskeys } from '@/lib/factors/passkeys';
import { requireUser } from '@/lib/web/current-user';
import { getAccountSecurityDeps } from '@/lib/web/wiring';
import { FreshCodeSection } from '../_fresh-code/fresh-code-section';
import { AccountHeader } from '../account-header';
import { ButtonForm, CodeEntryForm } from '../profile/profile-forms';
import { finishAppSetupAction, removeAppAction, startAppSetupAction } from './actions';
import { BackupCodesForm } from './backup-codes-form';
import { PasskeysSection } from './passkeys-section';
import { readTwoStepNotice } from './two-step-notices';

export const metadata: Metadata = { title: 'Two-step sign-in' };

const card = 'mb-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm';
const when = (at: Date) => at.toISOString().slice(0, 10);

export default async function TwoStepPage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string | string[]; fresh?: string | string[] }>;
}) {
  const user = await requireUser();
  const [fresh, passkeys, app, pendingApp, backupLeft] = await Promise.all([
    viewFreshCode(getAccountSecurityDeps(), user.id),
    listPasskeys(user.id),
    getAppStatus(user.id),
    viewPendingEnrolment(user.id, user.username),
    countBackupCodesLeft(user.id),
  ]);
  const { notice, fresh: freshWord } = await searchParams;
  const message = readTwoStepNotice(notice);
  const canChange = fresh.freshUntil !== null;

  return (
    <main className="mx-auto max-w-2xl px-4 py-12">
      <AccountHeader />
      <h1 className="mb-2 text-2xl font-semibold">Two-step sign-in</h1>
      <p className="mb-6 text-slate-700">
        After your password, Latchkey asks for a second proof that it is you. The methods are listed
        strongest first; at sign-in you can pick any of them.
      </p>
      {message && <FormMessage tone={message.tone}>{message.text}</FormMessage>}
      {!canChange && (
        <section aria-labelledby="two-step-fresh-title" className={card}>
          <FreshCodeSection
            page="two-step"
            email={user.email}
            view={fresh}
            fresh={freshWord}
            purpose="add or remove a sign-in method"
          />
        </section>
      )}

      <section aria-labelledby="passkeys-title" className={card} data-testid="method-passkeys">
        <PasskeysSection
          canChange={canChange}
          passkeys={passkeys.map((p) => ({
            id: p.id,
            name: p.name,
            added: when(p.createdAt),
            lastUsed: p.lastUsedAt && when(p.lastUsedAt),
          }))}
        />
      </section>

      <section aria-labelledby="app-title" className={card} data-testid="method-app">
        <h2 id="app-title" className="mb-2 text-lg font-semibold">
          Authenticator app
        </h2>
        {app ? (
          <>
            <p className="mb-4 text-sm text-slate-700">
              Set up on {when(app.confirmedAt)}
              {app.lastUsedAt ? `, last used ${when(app.lastUsedAt)}` : ', not used yet'}. Codes
              come from the app on your phone; nothing is sent, so nothing can be intercepted.
            </p>
            {canChange && (
              <ButtonForm action={removeAppAction} id="remove-app" label="Remove the app" />
            )}
          </>
        ) : pendingApp && canChange ? (
          <>
            <p className="mb-4 text-sm text-slate-700">
              Scan this QR code with an authenticator app (such as Google Authenticator, Microsoft
              Authenticator, 1Password or Authy), then enter the 6-digit code it shows.
            </p>
            <AppSetupCode setup={pendingApp} />
            <CodeEntryForm action={finishAppSetupAction} id="app-code" secondsLeft={30} />
          </>
        ) : (
          <>
            <p className="mb-4 text-sm text-slate-700">
              The strongest method Latchkey offers without extra hardware: a code from an app on
              your phone, which works without signal.
            </p>
            {canChange && (
              <ButtonForm
                action={startAppSetupAction}
                id="start-app"
                label="Set up an authenticator app"
                primary
              />
            )}
          </>
        )}
      </section>

      <section aria-labelledby="backup-title" className={card} data-testid="method-backup">
        <h2 id="backup-title" className="mb-2 text-lg font-semibold">
          Backup codes
        </h2>
        <p className="mb-4 text-sm text-slate-700">
          {backupLeft > 0
            ? `${backupLeft} unused ${backupLeft === 1 ? 'code' : 'codes'} left. Each works once, for when your other methods are out of reach.`
            : 'None yet. Ten single-use codes, for when your other methods are out of reach.'}
        </p>
        {backupLeft > 0 && backupLeft <= BACKUP_CODES_LOW && (
          <FormMessage>Only {backupLeft} left: make a new set before you run out.</FormMessage>
        )}
        {canChange && (
          <BackupCodesForm label={backupLeft > 0 ? 'Make new backup codes' : 'Make backup codes'} />
        )}
      </section>

      <section aria-labelledby="phone-title" className={card}>
        <h2 id="phone-title" className="mb-2 text-lg font-semibold">
          Text message or voice call
        </h2>
        <p className="text-sm text-slate-700">
          {user.phone
            ? `Codes by SMS or call to ${maskPhone(user.phone)}. Text messages can be redirected (for example by SIM swap): prefer the app.`
            : 'No phone number on your account.'}{' '}
          <Link href="/account/profile" className="text-indigo-700 underline">
            Change it on your profile
          </Link>
          .
        </p>
      </section>

      <section aria-labelledby="email-title" className={card}>
        <h2 id="email-title" className="mb-2 text-lg font-semibold">
          Email
        </h2>
        <p className="text-sm text-slate-700">
          Codes to {maskEmail(user.email)}. Lower assurance: anyone who can read your mailbox can
          read the code.
        </p>
      </section>
    </main>
  );
}
