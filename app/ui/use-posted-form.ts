'use client';

import { useRef, useState, type FormEvent } from 'react';
import type { FormState } from '@/lib/auth/form-state';

// Kept short: this hook is in the first-load JavaScript of the sign-in pages (budget P4). A
// refusal before the form's own answer (403 cross-site, 413 too large, a 5xx page) is rare
// enough for one message; a failed fetch says the connection.
const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';
const UNAVAILABLE = 'Sign-in is unavailable right now. Reload the page and try again.';

/**
 * A form that posts to a route handler (lib/web/form-post.ts). Without JavaScript it is a plain
 * form, answered with the next page; with JavaScript this posts it asking for JSON: either the
 * page to go to (a full navigation, so every layout sees the new session), or the form's state
 * (its message), shown without leaving the page. The fields named in `clear` (a password, a
 * code) are emptied after a refusal, and the first field still to fill gets the focus. A second
 * submit while one is in flight (a paste, then an SMS autofill) is ignored.
 */
export function usePostedForm(
  url: string,
  { initial = {}, clear = [] }: { initial?: FormState; clear?: string[] } = {},
) {
  const [state, setState] = useState<FormState>(initial);
  const [pending, setPending] = useState(false);
  const inFlight = useRef(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    const form = event.currentTarget;
    const body = new FormData(form);
    setPending(true);
    let answer: FormState & { redirect?: string };
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
      });
      answer = response.headers.get('content-type')?.startsWith('application/json')
        ? await response.json()
        : { error: UNAVAILABLE };
    } catch {
      answer = { error: UNREACHABLE };
    }
    if (answer.redirect) {
      window.location.assign(answer.redirect);
      return; // stays pending until the next page replaces this one
    }
    setState(answer);
    setPending(false);
    inFlight.current = false;
    for (const name of clear) {
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLInputElement) field.value = '';
    }
    // What was typed stays in the other fields; the first one still to fill (required, empty,
    // so invalid) gets the focus.
    form.querySelector<HTMLInputElement>('input:invalid')?.focus();
  }

  return { state, pending, onSubmit };
}
