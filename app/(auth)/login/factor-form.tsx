'use client';

import { useActionState } from 'react';
import { TrustCheckbox } from './trust-checkbox';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import type { SignInFactor } from '@/lib/auth/sign-in-factor';
import { submitFactorAction } from './factor-actions';

/** The code of the authenticator app or a backup code: a plain form, with the trust checkbox. */
export function FactorForm({ factor }: { factor: SignInFactor }) {
  const [state, action, pending] = useActionState(
    submitFactorAction.bind(null, factor),
    {} as FormState,
  );
  const app = factor === 'authenticator-app';
  return (
    <form action={action} className="space-y-5">
      {state.error && <FormMessage id="code-error">{state.error}</FormMessage>}
      <div>
        <label htmlFor="code" className="mb-1 block text-sm font-medium text-slate-700">
          {app ? 'Code from your authenticator app' : 'Backup code'}
        </label>
        <input
          id="code"
          name="code"
          type="text"
          inputMode={app ? 'numeric' : 'text'}
          autoComplete={app ? 'one-time-code' : 'off'}
          autoCapitalize="none"
          spellCheck={false}
          maxLength={app ? 6 : 20}
          required
          autoFocus
          aria-describedby={state.error ? 'code-error' : undefined}
          className={`${inputClass} font-mono text-2xl ${app ? 'tracking-[0.5em]' : 'tracking-wider'}`}
        />
      </div>
      <TrustCheckbox />
      <button type="submit" className={buttonClass} disabled={pending}>
        Verify
      </button>
    </form>
  );
}
