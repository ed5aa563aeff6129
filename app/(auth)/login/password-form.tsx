'use client';

import { useActionState } from 'react';
import Link from 'next/link';
import { submitPasswordAction } from './actions';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';

export function PasswordForm({ notice }: { notice?: string }) {
  const [state, action, pending] = useActionState(submitPasswordAction, {} as FormState);
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.error ? (
        <FormMessage id="login-error">{state.error}</FormMessage>
      ) : notice ? (
        <FormMessage tone="info">{notice}</FormMessage>
      ) : null}
      <div>
        <label htmlFor="username" className="mb-1 block text-sm font-medium text-slate-700">
          Username
        </label>
        <input
          id="username"
          name="username"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          defaultValue={state.values?.username ?? ''}
          autoFocus
          className={inputClass}
          aria-describedby={state.error ? 'login-error' : undefined}
        />
      </div>
      <div>
        <label htmlFor="password" className="mb-1 block text-sm font-medium text-slate-700">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className={inputClass}
          aria-describedby={state.error ? 'login-error' : undefined}
        />
      </div>
      <button type="submit" className={buttonClass} disabled={pending}>
        Sign In
      </button>
      <p className="text-center text-sm">
        <Link
          href="/forgot-password"
          className="font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900"
        >
          Forgot password?
        </Link>
      </p>
    </form>
  );
}
