'use client';

import { useActionState, useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { buttonClass, FormMessage, secondaryButtonClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import { importAction, sendInvitationsAction } from './actions';
import { ProgressBar } from './progress-bar';
import { statusHref } from './upload-paths';

/** Rows imported so far, read from the status route while `active`. */
function useRowsDone(uploadId: string, active: boolean) {
  const [rows, setRows] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(async () => {
      const status = await fetch(statusHref(uploadId))
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null);
      if (status) setRows(status.progressRows);
    }, 700);
    return () => clearInterval(timer);
  }, [uploadId, active]);
  return rows;
}

const radioClass =
  'mt-1 h-4 w-4 border-slate-300 text-indigo-700 focus-visible:ring-2 focus-visible:ring-indigo-500';

export function ImportForm({
  uploadId,
  rowsRead,
  rowsInvalid,
}: {
  uploadId: string;
  rowsRead: number;
  rowsInvalid: number;
}) {
  const [state, formAction, pending] = useActionState(importAction, {} as FormState);
  const rows = useRowsDone(uploadId, pending);
  return (
    <form action={formAction} className="space-y-5">
      {state.error && <FormMessage>{state.error}</FormMessage>}
      <input type="hidden" name="uploadId" value={uploadId} />
      <fieldset>
        <legend className="mb-2 font-medium text-slate-900">Which rows</legend>
        <Choice
          name="mode"
          value="valid-rows"
          defaultChecked
          label="Import the valid rows"
          hint={
            rowsInvalid
              ? `The ${rowsInvalid.toLocaleString('en')} rows with problems are left out.`
              : 'Every row is valid.'
          }
        />
        <Choice
          name="mode"
          value="all-or-nothing"
          label="Import only if every row is valid"
          hint="If any row has a problem, nothing is imported."
        />
      </fieldset>
      <fieldset>
        <legend className="mb-2 font-medium text-slate-900">Usernames that already exist</legend>
        <Choice
          name="existing"
          value="skip"
          defaultChecked
          label="Skip them"
          hint="Existing users stay as they are."
        />
        <Choice
          name="existing"
          value="update"
          label="Update them"
          hint="Name, email, phone, role and two-step sign-in are replaced. A changed phone or email is unverified again, the user's trusted browsers are removed and the old address is told."
        />
      </fieldset>
      {pending && <ProgressBar label="Importing" done={rows} total={rowsRead} />}
      <button type="submit" className={`${buttonClass} sm:w-auto`} disabled={pending}>
        Import
      </button>
    </form>
  );
}

function Choice({
  name,
  value,
  label,
  hint,
  defaultChecked,
}: {
  name: string;
  value: string;
  label: string;
  hint: string;
  defaultChecked?: boolean;
}) {
  const id = `${name}-${value}`;
  return (
    <div className="mb-2 flex gap-3">
      <input
        id={id}
        type="radio"
        name={name}
        value={value}
        defaultChecked={defaultChecked}
        aria-describedby={`${id}-hint`}
        className={radioClass}
      />
      <div>
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-sm text-slate-600">
          {hint}
        </p>
      </div>
    </div>
  );
}

/**
 * Rendered whenever the upload created users, so that "N invitations sent." stays on screen after
 * the last pending invitation went out (the button goes, the message stays).
 */
export function SendInvitationsForm({ uploadId, waiting }: { uploadId: string; waiting: number }) {
  const [state, formAction, pending] = useActionState(sendInvitationsAction, {} as FormState);
  if (waiting === 0 && !state.error && !state.info) return null;
  return (
    <form action={formAction} className="mt-4 space-y-3">
      {state.error && <FormMessage>{state.error}</FormMessage>}
      {state.info && <FormMessage tone="info">{state.info}</FormMessage>}
      <input type="hidden" name="uploadId" value={uploadId} />
      {waiting > 0 && (
        <button type="submit" className={secondaryButtonClass} disabled={pending}>
          Send pending invitations ({waiting.toLocaleString('en')})
        </button>
      )}
    </form>
  );
}

/** Shown when the page is opened while an import runs: refreshes the page until it is done. */
export function ImportWatcher({ uploadId, rowsRead }: { uploadId: string; rowsRead: number }) {
  const rows = useRowsDone(uploadId, true);
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), 3000);
    return () => clearInterval(timer);
  }, [router]);
  return <ProgressBar label="Importing" done={rows} total={rowsRead} />;
}
