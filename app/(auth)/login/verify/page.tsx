import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard, FormMessage, secondaryButtonClass } from '@/app/ui/auth-card';
import { getPendingSignIn } from '@/lib/web/pending-sign-in';
import { readFlash } from '@/lib/web/form-flash';
import { UNAVAILABLE_MESSAGE } from '@/lib/auth/form-state';
import { ExpiredSignIn, Unavailable } from '../expired-sign-in';
import { channelInSentence } from '../channel-labels';
import { CodeForm } from './code-form';
import { ResendForm } from './resend-form';
import { CODE_FORM } from './code-form-name';

export const metadata: Metadata = { title: 'Enter the code' };

export default async function VerifyPage({
  searchParams,
}: {
  searchParams: Promise<{ resent?: string }>;
}) {
  let pending;
  try {
    pending = await getPendingSignIn();
  } catch (error) {
    console.error('sign-in: code page could not read the pending sign-in', error);
    return <Unavailable message={UNAVAILABLE_MESSAGE} />;
  }
  if (!pending) return <ExpiredSignIn />;
  const { ticket, choices } = pending;
  if (ticket.stage !== 'code-sent' || !ticket.channel || !ticket.codeExpiresAt)
    redirect('/login/method');

  const destination = choices.find((c) => c.channel === ticket.channel)?.destination ?? '';
  // eslint-disable-next-line react-hooks/purity -- the time left is computed per request, on the server
  const secondsLeft = Math.max(0, Math.ceil((ticket.codeExpiresAt - Date.now()) / 1000));
  const { resent } = await searchParams;
  // What a code posted without JavaScript left for this page: its message.
  const flash = await readFlash(CODE_FORM);
  return (
    <AuthCard title="Enter the code">
      {resent && (
        <FormMessage tone="info">
          A new code was sent. The previous code no longer works.
        </FormMessage>
      )}
      <p className="mb-5 text-sm text-slate-700">
        We sent a 6-digit security code by {channelInSentence[ticket.channel]} to{' '}
        <span className="font-medium text-slate-900">{destination}</span>.
      </p>
      <CodeForm
        key={ticket.codeExpiresAt}
        secondsLeft={secondsLeft}
        channel={ticket.channel}
        initial={flash}
      />
      <div className="mt-6 flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-5">
        <ResendForm channel={ticket.channel} />
        <a href="/login/method" className={secondaryButtonClass}>
          Choose another method
        </a>
      </div>
    </AuthCard>
  );
}
