'use client';

import { useActionState } from 'react';
import { chooseChannelAction } from '../method/actions';
import { secondaryButtonClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import type { Channel } from '@/lib/delivery/sender';

/** "Resend code": a new code by the same channel; the old one stops working (OTP-06). */
export function ResendForm({ channel }: { channel: Channel }) {
  const [state, action, pending] = useActionState(chooseChannelAction, {} as FormState);
  return (
    <form action={action}>
      <input type="hidden" name="channel" value={channel} />
      <input type="hidden" name="resend" value="1" />
      <button type="submit" className={secondaryButtonClass} disabled={pending}>
        Resend code
      </button>
      {state.error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}
