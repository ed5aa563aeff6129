'use client';

import { useState, useSyncExternalStore, useTransition } from 'react';
import { startAuthentication } from '@simplewebauthn/browser';
import { TrustCheckbox } from '../trust-checkbox';
import { buttonClass, FormMessage } from '@/app/ui/auth-card';
import { passkeyOptionsAction, submitPasskeyAction } from './actions';

const noSubscription = () => () => {};

/**
 * Asks the server for a challenge, lets the browser's authenticator sign it, and posts the
 * answer. Needs JavaScript: the button stays disabled until the page has it.
 */
export function PasskeyForm() {
  // False in the server's HTML and before hydration; true once this code runs in the browser.
  const ready = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const [trust, setTrust] = useState(false);

  function signInWithPasskey() {
    setError(null);
    startTransition(async () => {
      const got = await passkeyOptionsAction();
      if ('error' in got) return setError(got.error);
      let response;
      try {
        response = await startAuthentication({ optionsJSON: got.options });
      } catch {
        // Cancelled, timed out, or no matching passkey on this device: nothing reached us.
        return setError('The passkey was not used. Try again, or choose another method.');
      }
      const state = await submitPasskeyAction(JSON.stringify(response), trust);
      if (state.error) setError(state.error);
    });
  }

  return (
    <div className="space-y-5">
      {/* In the server's HTML, so a browser without JavaScript shows it; hydration removes it. */}
      {!ready && (
        <FormMessage>
          A passkey needs JavaScript, which is off in this browser.{' '}
          <a href="/login/method" className="underline">
            Choose another method
          </a>
          .
        </FormMessage>
      )}
      {error && <FormMessage id="passkey-error">{error}</FormMessage>}
      <TrustCheckbox checked={trust} onChange={setTrust} />
      <button
        type="button"
        className={buttonClass}
        disabled={!ready || pending}
        onClick={signInWithPasskey}
        autoFocus
      >
        Use passkey
      </button>
    </div>
  );
}
