import type { Metadata } from 'next';
import { FormMessage } from '@/app/ui/auth-card';
import { requireUser } from '@/lib/web/current-user';
import { env } from '@/lib/env';
import { viewContactChange } from '@/lib/account/contact-change';
import { getContactChangeDeps } from '@/lib/web/wiring';
import { formatPhone } from '@/lib/users/phone';
import {
  cancelChangeAction,
  confirmChangeAction,
  confirmIdentityAction,
  requestChangeAction,
  resendChangeCodeAction,
  sendIdentityCodeAction,
} from './actions';
import { ButtonForm, CodeEntryForm, ContactForm } from './profile-forms';
import { readProfileNotice } from './profile-notices';
import { AccountHeader } from '../account-header';

export const metadata: Metadata = { title: 'Profile' };

const card = 'mb-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm';

export default async function ProfilePage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string | string[] }>;
}) {
  const user = await requireUser();
  const view = await viewContactChange(getContactChangeDeps(), user.id);
  const notice = readProfileNotice((await searchParams).notice);

  return (
    <main className="mx-auto max-w-2xl px-4 py-12">
      <AccountHeader />
      <h1 className="mb-6 text-2xl font-semibold">Profile</h1>
      {notice && <FormMessage tone={notice.tone}>{notice.text}</FormMessage>}

      <section aria-labelledby="contact-title" className={card}>
        <h2 id="contact-title" className="mb-3 text-lg font-semibold">
          Where your codes go
        </h2>
        <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
          <dt className="text-slate-600">Email</dt>
          <dd data-testid="current-email" className="break-all">
            {user.email}
          </dd>
          <dt className="text-slate-600">Phone</dt>
          <dd data-testid="current-phone">{user.phone ? formatPhone(user.phone) : 'None'}</dd>
        </dl>
      </section>

      {view.change ? (
        <section aria-labelledby="step-title" className={card}>
          <h2 id="step-title" className="mb-2 text-lg font-semibold">
            Confirm your new {view.change.kind === 'email' ? 'email address' : 'phone number'}
          </h2>
          <p className="mb-4 text-sm text-slate-700">
            We sent a code to{' '}
            <strong className="break-all">
              {view.change.kind === 'phone' ? formatPhone(view.change.to) : view.change.to}
            </strong>
            . Enter it to save the change; until then nothing changes.
          </p>
          <CodeEntryForm
            action={confirmChangeAction}
            id="change-code"
            secondsLeft={view.change.secondsLeft}
          />
          <div className="mt-4 flex flex-wrap gap-3">
            <ButtonForm
              action={resendChangeCodeAction}
              id="resend-change"
              label="Send a new code"
            />
            <ButtonForm action={cancelChangeAction} id="cancel-change" label="Cancel the change" />
          </div>
        </section>
      ) : view.recentUntil ? (
        <section aria-labelledby="step-title" className={card}>
          <h2 id="step-title" className="mb-2 text-lg font-semibold">
            Change your email address or phone number
          </h2>
          <p className="mb-5 text-sm text-slate-700">
            A code goes to the new address or number, and the change is saved once you enter it.
            Your old email address is then told, and your trusted devices ask for a code at their
            next sign-in.
          </p>
          <div className="space-y-8">
            <ContactForm
              action={requestChangeAction}
              kind="email"
              hint="We send a code to this address by email."
            />
            <ContactForm
              action={requestChangeAction}
              kind="phone"
              hint={`We send a code to this number by text message. International (+44 7700 900123) or national format for ${env.PHONE_DEFAULT_REGION}.`}
            />
          </div>
        </section>
      ) : (
        <section aria-labelledby="step-title" className={card}>
          <h2 id="step-title" className="mb-2 text-lg font-semibold">
            Confirm it’s you
          </h2>
          {view.identity ? (
            <>
              <p className="mb-4 text-sm text-slate-700">
                We sent a code to <strong className="break-all">{view.identity.to}</strong>. Enter
                it to change your email address or phone number.
              </p>
              <CodeEntryForm
                action={confirmIdentityAction}
                id="identity-code"
                secondsLeft={view.identity.secondsLeft}
              />
              <div className="mt-4">
                <ButtonForm
                  action={sendIdentityCodeAction}
                  id="resend-identity"
                  label="Send a new code"
                />
              </div>
            </>
          ) : (
            <>
              <p className="mb-4 text-sm text-slate-700">
                Before your email address or phone number can change, enter a code we send to your
                current email address, <strong className="break-all">{user.email}</strong>.
              </p>
              <ButtonForm
                action={sendIdentityCodeAction}
                id="send-identity"
                label="Send me a code"
                primary
              />
            </>
          )}
        </section>
      )}
    </main>
  );
}
