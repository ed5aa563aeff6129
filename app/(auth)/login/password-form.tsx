'use client';

import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import { usePostedForm } from '@/app/ui/use-posted-form';
import type { FormState } from '@/lib/auth/form-state';

/**
 * The sign-in form. It posts to the password step's route handler (login/password/route.ts):
 * without JavaScript as a plain form, which is answered with the next page (or this one with its
 * message); with JavaScript from here, asking for JSON, so the page stays as it is on an error.
 * As after a plain post, the password is typed again after a refusal, never kept.
 */
export function PasswordForm({ notice, initial }: { notice?: string; initial?: FormState }) {
  const { state, pending, onSubmit } = usePostedForm('/login/password', {
    initial,
    clear: ['password'],
  });
  return (
    <form
      action="/login/password"
      method="post"
      onSubmit={onSubmit}
      className="space-y-5"
      noValidate
    >
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
        <a
          href="/forgot-password"
          className="font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900"
        >
          Forgot password?
        </a>
      </p>
    </form>
  );
}
