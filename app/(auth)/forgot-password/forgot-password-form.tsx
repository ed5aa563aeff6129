'use client';

import { useActionState } from 'react';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import { requestResetAction } from './actions';

export function ForgotPasswordForm() {
  const [state, action, pending] = useActionState(requestResetAction, {} as FormState);
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.error && <FormMessage id="forgot-error">{state.error}</FormMessage>}
      <p className="text-sm text-slate-700">
        Enter your username or email address. We will email you a link to choose a new password.
      </p>
      <div>
        <label htmlFor="identifier" className="mb-1 block text-sm font-medium text-slate-700">
          Username or email address
        </label>
        <input
          id="identifier"
          name="identifier"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
          defaultValue={state.values?.identifier ?? ''}
          className={inputClass}
          maxLength={320}
          aria-invalid={state.error ? true : undefined}
          aria-describedby={state.error ? 'forgot-error' : undefined}
        />
      </div>
      <button type="submit" className={buttonClass} disabled={pending}>
        Email me a link
      </button>
    </form>
  );
}
