import type { Metadata } from 'next';
import './globals.css';
import { isOutboxActive } from '@/lib/delivery/senders';

// Every page depends on the request (cookies, configuration read at run time), never on the build.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Latchkey', template: '%s · Latchkey' },
  description: 'Sign in with your password and a one-time code.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        {isOutboxActive() && (
          <aside
            aria-label="Development notice"
            className="bg-amber-100 px-4 py-2 text-center text-sm text-amber-900"
          >
            Messages are not really sent: codes and emails appear in the{' '}
            <a className="font-medium underline" href="/dev/outbox">
              development outbox
            </a>
            .
          </aside>
        )}
        {children}
      </body>
    </html>
  );
}
