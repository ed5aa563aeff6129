'use client';

import { useActionState } from 'react';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import { finishEnrolmentAction } from './actions';

export function EnrolForm() {
  const [state, action, pending] = useActionState(finishEnrolmentAction, {} as FormState);
  return (
    <form action={action} className="space-y-5">
      {state.error && <FormMessage id="code-error">{state.error}</FormMessage>}
      <div>
        <label htmlFor="code" className="mb-1 block text-sm font-medium text-slate-700">
          Code from your authenticator app
        </label>
        <input
          id="code"
          name="code"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
          aria-describedby={state.error ? 'code-error' : undefined}
          className={`${inputClass} font-mono text-2xl tracking-[0.5em]`}
        />
      </div>
      <button type="submit" className={buttonClass} disabled={pending}>
        Finish setup and sign in
      </button>
    </form>
  );
}
