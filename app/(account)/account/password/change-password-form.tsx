'use client';

import { useActionState } from 'react';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import { changePasswordAction } from './actions';

// PW-07: paste and password managers work: a read-only username for the manager to save with,
// `current-password` on the old one and `new-password` on the new ones. Passwords are never sent
// back to the form after a refusal.

const labelClass = 'mb-1 block text-sm font-medium text-slate-700';

export function ChangePasswordForm({
  username,
  minLength,
}: {
  username: string;
  minLength: number;
}) {
  const [state, action, pending] = useActionState(changePasswordAction, {} as FormState);
  const field = state.values?.field;
  const describedBy = (name: string, extra = '') =>
    [extra, field === name && state.error ? 'change-error' : ''].filter(Boolean).join(' ') ||
    undefined;
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.error && <FormMessage id="change-error">{state.error}</FormMessage>}
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      <div>
        <label htmlFor="current-password" className={labelClass}>
          Current password
        </label>
        <input
          id="current-password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          className={inputClass}
          aria-invalid={field === 'currentPassword' ? true : undefined}
          aria-describedby={describedBy('currentPassword')}
        />
      </div>
      <div>
        <label htmlFor="new-password" className={labelClass}>
          New password
        </label>
        <input
          id="new-password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={minLength}
          className={inputClass}
          aria-invalid={field === 'newPassword' ? true : undefined}
          aria-describedby={describedBy('newPassword', 'new-password-hint')}
        />
        <p id="new-password-hint" className="mt-1 text-sm text-slate-600">
          At least {minLength} characters. Spaces and any characters are welcome; a few unrelated
          words make a good password. Common passwords and your username are refused.
        </p>
      </div>
      <div>
        <label htmlFor="confirm-password" className={labelClass}>
          Type the new password again
        </label>
        <input
          id="confirm-password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          className={inputClass}
          aria-invalid={field === 'confirm' ? true : undefined}
          aria-describedby={describedBy('confirm')}
        />
      </div>
      <button type="submit" className={buttonClass} disabled={pending}>
        Change password
      </button>
    </form>
  );
}
