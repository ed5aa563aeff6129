'use client';

import { useActionState } from 'react';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import type { UserFormField, UserFormState } from '@/lib/users/user-form';

type Values = Record<UserFormField, string>;
type Action = (prev: UserFormState, formData: FormData) => Promise<UserFormState>;

/**
 * Create and edit a user. A plain form posting to a server action, so it works with JavaScript
 * off; after a refusal each message sits beside its field (aria-describedby) and every field
 * keeps what the admin typed.
 */
export function UserForm({
  action,
  initial,
  submitLabel,
  region,
}: {
  action: Action;
  initial: Values;
  submitLabel: string;
  region: string;
}) {
  const [state, formAction, pending] = useActionState(action, {} as UserFormState);
  const values = state.values ?? initial;
  const errors = state.fieldErrors ?? {};
  // The form is re-keyed by each answer so the browser shows the values the server sent back.
  const key = JSON.stringify(state.values ?? null);

  const describedBy = (field: UserFormField, hint?: boolean) =>
    [hint ? `${field}-hint` : '', errors[field] ? `${field}-error` : '']
      .filter(Boolean)
      .join(' ') || undefined;
  const fieldError = (field: UserFormField) =>
    errors[field] ? (
      <p id={`${field}-error`} className="mt-1 text-sm font-medium text-red-800">
        {errors[field]}
      </p>
    ) : null;
  const invalid = (field: UserFormField) => (errors[field] ? true : undefined);
  const label = 'mb-1 block text-sm font-medium text-slate-700';

  return (
    <form key={key} action={formAction} noValidate className="max-w-xl space-y-5">
      {state.error ? (
        <FormMessage>{state.error}</FormMessage>
      ) : state.info ? (
        <FormMessage tone="info">{state.info}</FormMessage>
      ) : null}
      <div>
        <label htmlFor="username" className={label}>
          Username
        </label>
        <input
          id="username"
          name="username"
          type="text"
          required
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          defaultValue={values.username}
          aria-invalid={invalid('username')}
          aria-describedby={describedBy('username', true)}
          className={inputClass}
        />
        <p id="username-hint" className="mt-1 text-sm text-slate-600">
          3 to 64 letters, digits, dots, dashes or underscores.
        </p>
        {fieldError('username')}
      </div>
      <div>
        <label htmlFor="name" className={label}>
          Name
        </label>
        <input
          id="name"
          name="name"
          type="text"
          autoComplete="off"
          defaultValue={values.name}
          aria-invalid={invalid('name')}
          aria-describedby={describedBy('name')}
          className={inputClass}
        />
        {fieldError('name')}
      </div>
      <div>
        <label htmlFor="email" className={label}>
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          required
          autoComplete="off"
          spellCheck={false}
          defaultValue={values.email}
          aria-invalid={invalid('email')}
          aria-describedby={describedBy('email')}
          className={inputClass}
        />
        {fieldError('email')}
      </div>
      <div>
        <label htmlFor="phone" className={label}>
          Phone
        </label>
        <input
          id="phone"
          name="phone"
          type="tel"
          autoComplete="off"
          defaultValue={values.phone}
          aria-invalid={invalid('phone')}
          aria-describedby={describedBy('phone', true)}
          className={inputClass}
        />
        <p id="phone-hint" className="mt-1 text-sm text-slate-600">
          International (+44 20 7946 0000) or national format for {region}. Required with two-step
          sign-in.
        </p>
        {fieldError('phone')}
      </div>
      <div>
        <label htmlFor="role" className={label}>
          Role
        </label>
        <select
          id="role"
          name="role"
          defaultValue={values.role || 'user'}
          aria-invalid={invalid('role')}
          aria-describedby={describedBy('role')}
          className={inputClass}
        >
          <option value="user">User</option>
          <option value="admin">Admin</option>
        </select>
        {fieldError('role')}
      </div>
      <fieldset className="space-y-3">
        <legend className="mb-1 text-sm font-medium text-slate-700">Sign-in</legend>
        <div>
          <label className="flex items-start gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              name="twoFactor"
              value="1"
              defaultChecked={values.twoFactor === '1'}
              aria-invalid={invalid('twoFactor')}
              aria-describedby={describedBy('twoFactor')}
              className="mt-0.5 size-4 accent-indigo-700"
            />
            <span>
              Two-step sign-in{' '}
              <span className="block text-slate-600">A security code after the password.</span>
            </span>
          </label>
          {fieldError('twoFactor')}
        </div>
        <div>
          <label className="flex items-start gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              name="disabled"
              value="1"
              defaultChecked={values.disabled === '1'}
              aria-invalid={invalid('disabled')}
              aria-describedby={describedBy('disabled')}
              className="mt-0.5 size-4 accent-indigo-700"
            />
            <span>
              Disabled{' '}
              <span className="block text-slate-600">
                Cannot sign in; sessions and trusted devices end at once.
              </span>
            </span>
          </label>
          {fieldError('disabled')}
        </div>
      </fieldset>
      <button type="submit" className={buttonClass} disabled={pending}>
        {submitLabel}
      </button>
    </form>
  );
}
