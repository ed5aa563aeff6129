'use client';

import { useActionState } from 'react';
import { buttonClass, inputClass, secondaryButtonClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';

// The profile's forms. Each is a plain form posting to a server action (works with JavaScript
// off); a refusal is shown beside the field it is about, and typed values come back.

type Action = (prev: FormState, formData: FormData) => Promise<FormState>;

const labelClass = 'mb-1 block text-sm font-medium text-slate-700';
const errorClass = 'mt-1 text-sm font-medium text-red-800';

/** A form that is only a button (send a code, resend, cancel). */
export function ButtonForm({
  action,
  label,
  id,
  primary = false,
}: {
  action: Action;
  label: string;
  id: string;
  primary?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, {} as FormState);
  return (
    <form action={formAction}>
      <button
        type="submit"
        className={primary ? buttonClass : secondaryButtonClass}
        disabled={pending}
        aria-describedby={state.error ? `${id}-error` : undefined}
      >
        {label}
      </button>
      {state.error && (
        <p id={`${id}-error`} role="alert" className={errorClass}>
          {state.error}
        </p>
      )}
    </form>
  );
}

/** Six digits, then Verify. `secondsLeft` is the code's life when the page was drawn. */
export function CodeEntryForm({
  action,
  id,
  secondsLeft,
}: {
  action: Action;
  id: string;
  secondsLeft: number;
}) {
  const [state, formAction, pending] = useActionState(action, {} as FormState);
  const hint =
    secondsLeft > 0
      ? `The code expires in ${secondsLeft} ${secondsLeft === 1 ? 'second' : 'seconds'}.`
      : 'The code has expired. Send a new code.';
  return (
    <form action={formAction} className="space-y-4">
      <div>
        <label htmlFor={id} className={labelClass}>
          Security code
        </label>
        <input
          id={id}
          name="code"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          autoFocus
          aria-invalid={state.error ? true : undefined}
          aria-describedby={`${id}-hint${state.error ? ` ${id}-error` : ''}`}
          className={`${inputClass} max-w-56 font-mono text-2xl tracking-[0.5em]`}
        />
        <p id={`${id}-hint`} className="mt-1 text-sm text-slate-600">
          {hint}
        </p>
        {state.error && (
          <p id={`${id}-error`} role="alert" className={errorClass}>
            {state.error}
          </p>
        )}
      </div>
      <button type="submit" className={`${buttonClass} max-w-56`} disabled={pending}>
        Verify
      </button>
    </form>
  );
}

/** A new email address or phone number; a code goes there next. */
export function ContactForm({
  action,
  kind,
  hint,
}: {
  action: Action;
  kind: 'email' | 'phone';
  hint: string;
}) {
  const [state, formAction, pending] = useActionState(action, {} as FormState);
  const id = `new-${kind}`;
  return (
    <form key={state.values?.value ?? ''} action={formAction} noValidate className="space-y-3">
      <input type="hidden" name="kind" value={kind} />
      <div>
        <label htmlFor={id} className={labelClass}>
          {kind === 'email' ? 'New email address' : 'New phone number'}
        </label>
        <input
          id={id}
          name="value"
          type={kind === 'email' ? 'email' : 'tel'}
          autoComplete={kind === 'email' ? 'email' : 'tel'}
          required
          spellCheck={false}
          defaultValue={state.values?.value ?? ''}
          aria-invalid={state.error ? true : undefined}
          aria-describedby={`${id}-hint${state.error ? ` ${id}-error` : ''}`}
          className={inputClass}
        />
        <p id={`${id}-hint`} className="mt-1 text-sm text-slate-600">
          {hint}
        </p>
        {state.error && (
          <p id={`${id}-error`} role="alert" className={errorClass}>
            {state.error}
          </p>
        )}
      </div>
      <button type="submit" className={secondaryButtonClass} disabled={pending}>
        {kind === 'email' ? 'Send a code to this address' : 'Send a code to this number'}
      </button>
    </form>
  );
}
