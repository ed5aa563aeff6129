'use client';

import { useActionState } from 'react';
import { chooseMethodAction } from '../passkey/actions';
import { buttonClass, FormMessage } from '@/app/ui/auth-card';
import type { FormState } from '@/lib/auth/form-state';
import type { ChannelChoice } from '@/lib/auth/sign-in-code';
import { channelLabels, channelNotes } from '../channel-labels';

const optionClass =
  'flex cursor-pointer gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-indigo-600 has-[:checked]:bg-indigo-50';

export function MethodForm({
  choices,
  passkey,
  app,
  current,
}: {
  choices: ChannelChoice[];
  /** The person has a passkey: offered first, as the strongest factor (it cannot be phished). */
  passkey: boolean;
  /** The person has an authenticator app: offered next, as stronger than a sent code. */
  app: boolean;
  current?: string;
}) {
  const [state, action, pending] = useActionState(chooseMethodAction, {} as FormState);
  const selected =
    state.values?.channel ??
    current ??
    (passkey ? 'passkey' : app ? 'authenticator-app' : choices[0]?.channel);
  return (
    <form action={action} className="space-y-5">
      {state.error && <FormMessage>{state.error}</FormMessage>}
      <fieldset>
        <legend className="mb-3 text-sm text-slate-700">
          {passkey || app
            ? 'How do you want to confirm it’s you?'
            : 'Where should we send your security code?'}
        </legend>
        <div className="space-y-3">
          {passkey && (
            <label className={optionClass}>
              <input
                type="radio"
                name="channel"
                value="passkey"
                defaultChecked={selected === 'passkey'}
                className="mt-1 accent-indigo-700"
              />
              <span>
                <span className="block font-medium text-slate-900">Passkey</span>
                <span className="block text-sm text-slate-600">
                  Your fingerprint, face, screen lock or security key. Works only on this site, so
                  it cannot be phished.
                </span>
              </span>
            </label>
          )}
          {app && (
            <label className={optionClass}>
              <input
                type="radio"
                name="channel"
                value="authenticator-app"
                defaultChecked={selected === 'authenticator-app'}
                className="mt-1 accent-indigo-700"
              />
              <span>
                <span className="block font-medium text-slate-900">Authenticator app</span>
                <span className="block text-sm text-slate-600">
                  The code your app shows now. Nothing is sent, so nothing can be intercepted.
                </span>
              </span>
            </label>
          )}
          {choices.map(({ channel, destination }) => (
            <label key={channel} className={optionClass}>
              <input
                type="radio"
                name="channel"
                value={channel}
                defaultChecked={channel === selected}
                className="mt-1 accent-indigo-700"
              />
              <span>
                <span className="block font-medium text-slate-900">
                  {channelLabels[channel]}{' '}
                  <span className="font-normal text-slate-700">{destination}</span>
                </span>
                <span className="block text-sm text-slate-600">{channelNotes[channel]}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <button type="submit" className={buttonClass} disabled={pending}>
        Proceed
      </button>
    </form>
  );
}
