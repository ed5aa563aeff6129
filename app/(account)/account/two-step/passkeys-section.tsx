'use client';

import { useActionState, useState, useSyncExternalStore, useTransition } from 'react';
import { startRegistration } from '@simplewebauthn/browser';
import { buttonClass, FormMessage, inputClass, secondaryButtonClass } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import {
  passkeyRegistrationOptionsAction,
  registerPasskeyAction,
  removePasskeyAction,
} from './passkey-actions';

export type PasskeyRow = { id: string; name: string; added: string; lastUsed: string | null };

const noSubscription = () => () => {};

/** The account's passkeys, and adding one (needs JavaScript: the browser makes the key). */
export function PasskeysSection({
  passkeys,
  canChange,
}: {
  passkeys: PasskeyRow[];
  canChange: boolean;
}) {
  return (
    <>
      <h2 id="passkeys-title" className="mb-2 text-lg font-semibold">
        Passkeys
      </h2>
      <p className="mb-4 text-sm text-slate-700">
        The strongest method: your fingerprint, face, screen lock or a security key. A passkey works
        only on this site, so a look-alike page cannot use it.
      </p>
      {passkeys.length > 0 ? (
        <ul className="mb-4 divide-y divide-slate-200 rounded-lg border border-slate-200">
          {passkeys.map((p) => (
            <li key={p.id} className="flex items-center justify-between gap-3 px-3 py-2">
              <span className="text-sm">
                <span className="block font-medium break-words text-slate-900">{p.name}</span>
                <span className="block text-slate-600">
                  Added {p.added}, {p.lastUsed ? `last used ${p.lastUsed}` : 'not used yet'}
                </span>
              </span>
              {canChange && <RemoveButton id={p.id} name={p.name} />}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mb-4 text-sm text-slate-700">None yet.</p>
      )}
      {canChange && <AddPasskeyForm />}
    </>
  );
}

function RemoveButton({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(removePasskeyAction, {} as FormState);
  return (
    <form action={action}>
      <input type="hidden" name="passkeyId" value={id} />
      <button
        type="submit"
        className={secondaryButtonClass}
        disabled={pending}
        aria-label={`Remove ${name}`}
      >
        Remove
      </button>
      {state.error && (
        <p role="alert" className="mt-1 text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}

function AddPasskeyForm() {
  const ready = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const [state, setState] = useState<FormState>({});
  const [pending, startTransition] = useTransition();

  function add(formData: FormData) {
    const name = String(formData.get('name') ?? '');
    setState({});
    startTransition(async () => {
      const got = await passkeyRegistrationOptionsAction();
      if ('error' in got) return setState({ error: got.error });
      let response;
      try {
        response = await startRegistration({ optionsJSON: got.options });
      } catch {
        // Cancelled, timed out, or this authenticator already holds a passkey for the account.
        return setState({ error: 'No passkey was made. Nothing was added; try again.' });
      }
      setState(await registerPasskeyAction(name, JSON.stringify(response)));
    });
  }

  return (
    <form action={add} className="space-y-3">
      {state.error && <FormMessage>{state.error}</FormMessage>}
      {state.info && <FormMessage tone="info">{state.info}</FormMessage>}
      <div>
        <label htmlFor="passkey-name" className="mb-1 block text-sm font-medium text-slate-700">
          Passkey name
        </label>
        <input
          id="passkey-name"
          name="name"
          type="text"
          required
          maxLength={60}
          placeholder="Work laptop"
          autoComplete="off"
          className={`${inputClass} max-w-72`}
        />
      </div>
      <noscript>
        <p className="text-sm text-slate-700">Adding a passkey needs JavaScript.</p>
      </noscript>
      <button type="submit" className={`${buttonClass} max-w-72`} disabled={!ready || pending}>
        Add a passkey
      </button>
    </form>
  );
}
