'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/app/ui/auth-card';
import { smallButtonClass } from '../../styles';
import { unlockAccountAction, type UnlockState } from './unlock-action';

export function UnlockForm({ userId, canUnlock }: { userId: string; canUnlock: boolean }) {
  const [state, action, pending] = useActionState(unlockAccountAction, {} as UnlockState);
  return (
    <form action={action}>
      {state.error && <FormMessage>{state.error}</FormMessage>}
      {state.info && <FormMessage tone="info">{state.info}</FormMessage>}
      <input type="hidden" name="userId" value={userId} />
      {canUnlock && (
        <button type="submit" className={smallButtonClass} disabled={pending}>
          Unlock
        </button>
      )}
    </form>
  );
}
