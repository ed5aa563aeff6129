import { FormMessage } from '@/app/ui/auth-card';
import type { FreshCodeView } from '@/lib/auth/fresh-code';
import { ButtonForm, CodeEntryForm } from '../profile/profile-forms';
import { confirmFreshCodeAction, sendFreshCodeAction } from './actions';
import { readFreshCodeNotice, type FreshCodeTarget } from './fresh-code-wording';

/**
 * The "Confirm it's you" step shown in place of a sensitive form until a code sent to the current
 * email is entered (SE-07, TD-10). `fresh` is the page's `?fresh=` word.
 */
export function FreshCodeSection({
  page,
  email,
  view,
  fresh,
  purpose,
}: {
  page: FreshCodeTarget;
  email: string;
  view: FreshCodeView;
  fresh: unknown;
  /** What the code allows, in the words of "Before you …". */
  purpose: string;
}) {
  const notice = readFreshCodeNotice(fresh);
  // `admin-user:<id>` → `admin-user-fresh`: one such section per page, and no colon in an id.
  const id = `${page.split(':')[0]}-fresh`;
  return (
    <div data-testid="fresh-code">
      <h2 id={`${id}-title`} className="mb-2 text-lg font-semibold">
        Confirm it’s you
      </h2>
      {notice && <FormMessage tone={notice.tone}>{notice.text}</FormMessage>}
      {view.pending ? (
        <>
          <p className="mb-4 text-sm text-slate-700">
            We sent a code to <strong className="break-all">{view.pending.to}</strong>. Enter it to
            continue.
          </p>
          <CodeEntryForm
            action={confirmFreshCodeAction.bind(null, page)}
            id={`${id}-code`}
            secondsLeft={view.pending.secondsLeft}
          />
          <div className="mt-4">
            <ButtonForm
              action={sendFreshCodeAction.bind(null, page)}
              id={`${id}-resend`}
              label="Send a new code"
            />
          </div>
        </>
      ) : (
        <>
          <p className="mb-4 text-sm text-slate-700">
            Before you {purpose}, enter a code we send to your email address,{' '}
            <strong className="break-all">{email}</strong>. This is asked even on a trusted browser,
            because signing in there needs no code.
          </p>
          <ButtonForm
            action={sendFreshCodeAction.bind(null, page)}
            id={`${id}-send`}
            label="Send me a code"
            primary
          />
        </>
      )}
    </div>
  );
}
