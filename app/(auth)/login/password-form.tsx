'use client';

import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';

const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';

/**
 * The sign-in form. It posts to the password step's route handler (login/password/route.ts):
 * without JavaScript as a plain form, which is answered with the next page (or this one with its
 * message); with JavaScript from here, asking for JSON, so the page stays as it is on an error.
 */
export function PasswordForm({ notice, initial = {} }: { notice?: string; initial?: FormState }) {
  const router = useRouter();
  const [state, setState] = useState<FormState>(initial);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = new FormData(form);
    const username = String(body.get('username') ?? '');
    setPending(true);
    try {
      const response = await fetch('/login/password', {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
      });
      const answer = (await response.json()) as FormState & { redirect?: string };
      if (answer.redirect) {
        router.push(answer.redirect);
        return; // stays pending until the next page replaces this one
      }
      setState(answer);
    } catch {
      setState({ error: UNREACHABLE, values: { username } });
    }
    setPending(false);
    // As after a plain post: the password is typed again, never kept.
    const password = form.elements.namedItem('password');
    if (password instanceof HTMLInputElement) {
      password.value = '';
      password.focus();
    }
  }

  return (
    <form
      action="/login/password"
      method="post"
      onSubmit={submit}
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
