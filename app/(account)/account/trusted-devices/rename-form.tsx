'use client';

import { useActionState } from 'react';
import { inputClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import { renameDeviceAction } from './actions';
import { disclosureClass, smallButtonClass } from './styles';

/**
 * Renames one device. A plain form inside a disclosure, so it works without JavaScript; after a
 * refusal the disclosure stays open with the message beside the field and the name as typed.
 */
export function RenameForm({ deviceId, name }: { deviceId: string; name: string }) {
  const [state, action, pending] = useActionState(renameDeviceAction, {} as FormState);
  const inputId = `rename-${deviceId}`;
  const messageId = `${inputId}-message`;
  return (
    <details open={Boolean(state.error || state.info)}>
      <summary className={disclosureClass}>
        Rename<span className="sr-only"> {name}</span>
      </summary>
      <form action={action} noValidate className="mt-2 w-56 space-y-2">
        <input type="hidden" name="deviceId" value={deviceId} />
        <label htmlFor={inputId} className="block text-sm font-medium text-slate-700">
          New name
        </label>
        <input
          id={inputId}
          name="name"
          type="text"
          required
          autoComplete="off"
          defaultValue={state.values?.name ?? name}
          aria-invalid={state.error ? true : undefined}
          aria-describedby={state.error || state.info ? messageId : undefined}
          className={`${inputClass} text-sm`}
        />
        {state.error && (
          <p id={messageId} role="alert" className="text-sm text-red-800">
            {state.error}
          </p>
        )}
        {state.info && (
          <p id={messageId} role="status" className="text-sm text-emerald-800">
            {state.info}
          </p>
        )}
        <button type="submit" className={smallButtonClass} disabled={pending}>
          Save name
        </button>
      </form>
    </details>
  );
}
