'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/form-state';
import { dangerButtonClass } from '../../styles';
import { signOutEverywhereAction } from './sessions-actions';

export function SignOutEverywhereForm({ userId }: { userId: string }) {
  const [state, action, pending] = useActionState(signOutEverywhereAction, {} as FormState);
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" className={dangerButtonClass} disabled={pending}>
        Sign out everywhere
      </button>
      {state.error && (
        <p role="alert" className="text-sm font-medium text-red-800">
          {state.error}
        </p>
      )}
      {state.info && (
        <p role="status" className="text-sm text-slate-800">
          {state.info}
        </p>
      )}
    </form>
  );
}
