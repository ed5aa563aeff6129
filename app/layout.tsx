import type { Metadata, Viewport } from 'next';
import './globals.css';
import { isOutboxActive } from '@/lib/delivery/senders';
import { canReadOutbox } from '@/lib/web/outbox-access';

// Every page depends on the request (cookies, configuration read at run time), never on the build.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Latchkey', template: '%s · Latchkey' },
  description: 'Sign in with your password and a one-time code.',
};

// Tells the browser before the stylesheet arrives that pages come in both schemes, so a dark
// system gets a dark canvas from the first paint (decision 0022).
export const viewport: Viewport = { colorScheme: 'light dark' };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        {isOutboxActive() && <OutboxBanner />}
        {children}
      </body>
    </html>
  );
}

/** Everyone is told messages are not sent; the link shows only to whoever may open it (decision 0018). */
async function OutboxBanner() {
  // The page's own failure (database down, AV-01) must not become a broken layout here: when the
  // admin check cannot be made, the link is left out, which is the safe side.
  const linked = await canReadOutbox().catch(() => false);
  return (
    <aside
      aria-label="Development notice"
      className="bg-amber-100 px-4 py-2 text-center text-sm text-amber-900"
    >
      {linked ? (
        <>
          Messages are not really sent: codes and emails appear in the{' '}
          <a className="font-medium underline" href="/dev/outbox">
            development outbox
          </a>
          .
        </>
      ) : (
        <>Messages are not really sent: codes and emails go to this deployment&apos;s outbox.</>
      )}
    </aside>
  );
}
