import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { listOutbox } from '@/lib/delivery/outbox-sender';
import { canReadOutbox } from '@/lib/web/outbox-access';
import { EmailPreview } from './email-preview';

// Development outbox: what would have been emailed, texted or read out on a call. Text is
// rendered as text (React escapes it), so an odd username or address cannot become markup; an
// email's HTML part is shown in a sandboxed frame (email-preview.tsx) as a mail client would. Under
// `next start` (a preview) only an admin or a request with the outbox token sees it; anyone else
// gets the ordinary 404 (decision 0018).

export const dynamic = 'force-dynamic';
export const metadata: Metadata = {
  title: 'Outbox · Latchkey (development)',
  robots: { index: false },
};

const CHANNEL_LABEL = { email: 'Email', sms: 'SMS', voice: 'Voice call' } as const;

export default async function OutboxPage() {
  if (!(await canReadOutbox())) notFound();
  const messages = await listOutbox();

  return (
    <main className="mx-auto max-w-3xl px-4 py-10 text-slate-800">
      <header className="mb-6 flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold text-slate-900">Outbox</h1>
          <p className="mt-1 text-sm text-slate-600">
            Outbox mode is on (<code>OUTBOX_ENABLED</code>): emails, SMS and voice calls are shown
            here instead of being sent. Newest first.
          </p>
        </div>
        <a
          href="/dev/outbox"
          className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50"
        >
          Refresh
        </a>
      </header>

      {messages.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-slate-600 shadow-sm">
          No messages yet.
        </p>
      ) : (
        <ol className="space-y-4">
          {messages.map((message) => (
            <li
              key={message.id}
              className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
            >
              <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
                <p>
                  <span className="mr-2 rounded bg-slate-100 px-2 py-0.5 font-medium text-slate-700">
                    {CHANNEL_LABEL[message.channel] ?? message.channel}
                  </span>
                  to <span className="font-medium text-slate-900">{message.to}</span>
                </p>
                <time dateTime={message.sentAt} className="text-slate-500">
                  {message.sentAt.replace('T', ' ').slice(0, 19)} UTC
                </time>
              </div>
              {message.subject && (
                <h2 className="mt-3 font-medium text-slate-900">{message.subject}</h2>
              )}
              {message.code && (
                <p className="mt-2 text-sm text-slate-600">
                  Code:{' '}
                  <span className="font-mono text-lg font-semibold tracking-widest text-slate-900">
                    {message.code}
                  </span>
                </p>
              )}
              {message.html && <EmailPreview html={message.html} subject={message.subject} />}
              {message.html && (
                <h3 className="mt-3 text-sm font-medium text-slate-700">Text part</h3>
              )}
              <pre className="mt-3 whitespace-pre-wrap break-words rounded-md bg-slate-50 p-3 font-mono text-sm text-slate-700">
                {message.body}
              </pre>
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
