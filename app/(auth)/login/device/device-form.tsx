'use client';

import { useActionState } from 'react';
import { nameDeviceAction } from './actions';
import { buttonClass, FormMessage, inputClass, secondaryButtonClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';

export function DeviceForm({ suggestedName, days }: { suggestedName: string; days: number }) {
  const [state, action, pending] = useActionState(nameDeviceAction, {} as FormState);
  return (
    <form action={action} className="space-y-5">
      {state.error && <FormMessage id="device-error">{state.error}</FormMessage>}
      <p className="text-sm text-slate-700">
        This browser will not ask for a security code for {days} days, until you delete it under My
        Trusted Devices. Your password is still asked every time.
      </p>
      <div>
        <label htmlFor="device-name" className="mb-1 block text-sm font-medium text-slate-700">
          Device name
        </label>
        <input
          id="device-name"
          name="name"
          type="text"
          required
          maxLength={200}
          autoFocus
          autoComplete="off"
          defaultValue={state.values?.name ?? suggestedName}
          className={inputClass}
          aria-describedby={state.error ? 'device-error' : undefined}
        />
      </div>
      <button type="submit" className={buttonClass} disabled={pending}>
        Login
      </button>
      <button
        type="submit"
        name="skip"
        value="1"
        formNoValidate
        className={`${secondaryButtonClass} w-full`}
        disabled={pending}
      >
        Skip: don&apos;t trust this browser
      </button>
    </form>
  );
}
