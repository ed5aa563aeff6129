'use client';

import { useEffect, useRef, useState } from 'react';
import { TrustCheckbox } from '../trust-checkbox';
import { buttonClass, FormMessage, inputClass } from '@/app/ui/auth-card';
import { usePostedForm } from '@/app/ui/use-posted-form';
import type { FormState } from '@/lib/auth/form-state';
import type { Channel } from '@/lib/delivery/sender';

type OtpCredential = Credential & { code?: string };

/**
 * The code entry, posted to the code step's route handler (verify/code/route.ts): works as a plain
 * form; with JavaScript it counts down and takes pasted or SMS-filled codes.
 */
export function CodeForm({
  secondsLeft,
  channel,
  initial,
}: {
  secondsLeft: number;
  channel: Channel;
  initial?: FormState;
}) {
  const { state, pending, onSubmit } = usePostedForm('/login/verify/code', {
    initial,
    clear: ['code'],
  });
  const [left, setLeft] = useState(secondsLeft);
  const formRef = useRef<HTMLFormElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const deadline = Date.now() + secondsLeft * 1000;
    const timer = setInterval(() => {
      const remaining = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      setLeft(remaining);
      if (remaining === 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [secondsLeft]);

  // WebOTP: Chrome on Android offers the code from an SMS that ends with `@host #code`.
  useEffect(() => {
    if (channel !== 'sms' || !('OTPCredential' in window)) return;
    const abort = new AbortController();
    navigator.credentials
      .get({ otp: { transport: ['sms'] }, signal: abort.signal } as CredentialRequestOptions)
      .then((credential) => {
        const code = (credential as OtpCredential | null)?.code;
        if (code && inputRef.current && formRef.current) {
          inputRef.current.value = code;
          formRef.current.requestSubmit();
        }
      })
      .catch(() => {});
    return () => abort.abort();
  }, [channel]);

  function keepDigits(event: React.FormEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const digits = input.value.replace(/\D/g, '').slice(0, 6);
    if (digits !== input.value) input.value = digits;
  }

  function onPaste(event: React.ClipboardEvent<HTMLInputElement>) {
    const digits = event.clipboardData.getData('text').replace(/\D/g, '');
    if (digits.length !== 6) return;
    event.preventDefault();
    event.currentTarget.value = digits;
    formRef.current?.requestSubmit();
  }

  const expired = left === 0;
  return (
    <form
      ref={formRef}
      action="/login/verify/code"
      method="post"
      onSubmit={onSubmit}
      className="space-y-5"
    >
      {state.error && <FormMessage id="code-error">{state.error}</FormMessage>}
      <div>
        <label htmlFor="code" className="mb-1 block text-sm font-medium text-slate-700">
          Security code
        </label>
        <input
          ref={inputRef}
          id="code"
          name="code"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          autoFocus
          onInput={keepDigits}
          onPaste={onPaste}
          aria-describedby={`code-timer${state.error ? ' code-error' : ''}`}
          className={`${inputClass} font-mono text-2xl tracking-[0.5em]`}
        />
        <p
          id="code-timer"
          role="timer"
          aria-live="off"
          className={`mt-2 text-sm ${expired ? 'font-medium text-red-700' : 'text-slate-600'}`}
        >
          {expired
            ? 'The code has expired. Send a new code.'
            : `The code expires in ${left} ${left === 1 ? 'second' : 'seconds'}.`}
        </p>
      </div>
      <TrustCheckbox />
      <button type="submit" className={buttonClass} disabled={pending}>
        Verify
      </button>
    </form>
  );
}
