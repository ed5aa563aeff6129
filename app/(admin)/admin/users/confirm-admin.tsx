import { FreshCodeSection } from '@/app/(account)/account/_fresh-code/fresh-code-section';
import type { FreshCodeTarget } from '@/app/(account)/account/_fresh-code/fresh-code-wording';
import type { FreshCodeView } from '@/lib/auth/fresh-code';
import { cardClass } from '../styles';
import { When } from './when';

/**
 * The admin's own "Confirm it's you" step (SE-07, decision 12) above the forms that change how a
 * user signs in. The forms stay visible: a name can be fixed without a code, and the server
 * refuses a sign-in change without one whatever this shows. The code goes to the ADMIN's email.
 */
export function ConfirmAdmin({
  page,
  adminEmail,
  view,
  fresh,
  purpose,
}: {
  page: FreshCodeTarget;
  adminEmail: string;
  view: FreshCodeView;
  fresh: unknown;
  purpose: string;
}) {
  const titleId = `${page.split(':')[0]}-fresh-title`;
  return (
    <section id="confirm-admin" aria-labelledby={titleId} className={`${cardClass} mb-8`}>
      {view.freshUntil ? (
        <>
          <h2 id={titleId} className="mb-2 text-lg font-semibold">
            You confirmed it’s you
          </h2>
          <p className="text-sm text-slate-700" data-testid="admin-fresh-until">
            Until <When at={new Date(view.freshUntil)} />, you can {purpose} without another code.
          </p>
        </>
      ) : (
        <FreshCodeSection
          page={page}
          email={adminEmail}
          view={view}
          fresh={fresh}
          purpose={purpose}
        />
      )}
    </section>
  );
}
