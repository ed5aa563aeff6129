'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/app/ui/auth-card';
import { cardClass, smallButtonClass } from '../../styles';
import { resetSecondFactorsAction, type ResetFactorsState } from './second-factors-action';

/** The user's own factors, and the admin's way to clear them for someone who lost them. */
export function SecondFactors({
  userId,
  methods,
}: {
  userId: string;
  methods: { app: boolean; backupCodesLeft: number; passkeys: number };
}) {
  const [state, action, pending] = useActionState(
    resetSecondFactorsAction,
    {} as ResetFactorsState,
  );
  const held = [
    methods.app && 'an authenticator app',
    methods.backupCodesLeft > 0 && `${methods.backupCodesLeft} backup codes`,
    methods.passkeys > 0 &&
      `${methods.passkeys} ${methods.passkeys === 1 ? 'passkey' : 'passkeys'}`,
  ].filter(Boolean);
  return (
    <section aria-labelledby="factors-title" className={`${cardClass} mb-8`}>
      <h2 id="factors-title" className="mb-2 text-lg font-semibold">
        Two-step sign-in methods
      </h2>
      {state.error && <FormMessage>{state.error}</FormMessage>}
      {state.info && <FormMessage tone="info">{state.info}</FormMessage>}
      <p className="mb-4 text-sm text-slate-700" data-testid="user-factors">
        {held.length
          ? `Set up: ${held.join(', ')}.`
          : 'No authenticator app, backup codes or passkeys.'}{' '}
        Resetting removes them; the user signs in with a code by phone or email and sets new ones
        up.
      </p>
      <form action={action}>
        <input type="hidden" name="userId" value={userId} />
        <button type="submit" className={smallButtonClass} disabled={pending || !held.length}>
          Reset two-step methods
        </button>
      </form>
    </section>
  );
}
