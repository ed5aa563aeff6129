'use client';

import { useActionState } from 'react';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';

type NewPasswordAction = (state: FormState, formData: FormData) => Promise<FormState>;

/**
 * Choosing a new password from a link (invitation or reset). PW-07: a read-only username for
 * password managers to save with, `new-password` on both fields, paste allowed. No composition
 * rules to show (PW-03), only length; no security question (PW-06).
 */
export function NewPasswordForm(props: {
  action: NewPasswordAction;
  submitLabel: string;
  token: string;
  username: string;
  minLength: number;
}) {
  const { token, username, minLength } = props;
  const [state, action, pending] = useActionState(props.action, {} as FormState);
  const described = state.error ? 'password-error password-hint' : 'password-hint';
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.error && <FormMessage id="password-error">{state.error}</FormMessage>}
      <input type="hidden" name="token" value={token} />
      <div>
        <label htmlFor="username" className="mb-1 block text-sm font-medium text-slate-700">
          Username
        </label>
        <input
          id="username"
          name="username"
          type="text"
          autoComplete="username"
          readOnly
          value={username}
          className={`${inputClass} bg-slate-50`}
        />
      </div>
      <div>
        <label htmlFor="password" className="mb-1 block text-sm font-medium text-slate-700">
          New password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={minLength}
          className={inputClass}
          aria-describedby={described}
          aria-invalid={state.error ? true : undefined}
        />
        <p id="password-hint" className="mt-1 text-sm text-slate-600">
          At least {minLength} characters. Spaces and any characters are welcome; a few unrelated
          words make a good password. Common passwords and your username are refused.
        </p>
      </div>
      <div>
        <label htmlFor="confirm" className="mb-1 block text-sm font-medium text-slate-700">
          Type it again
        </label>
        <input
          id="confirm"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          className={inputClass}
        />
      </div>
      <button type="submit" className={buttonClass} disabled={pending}>
        {props.submitLabel}
      </button>
    </form>
  );
}
