'use client';

import { useRef, useState, type FormEvent } from 'react';
import type { FormState } from '@/lib/auth/form-state';

const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';
const REFUSED: Record<number, string> = {
  403: 'This page is out of date or was opened from another site. Reload it and try again.',
  413: 'What was typed is far longer than this form takes. Shorten it and try again.',
};
const UNAVAILABLE = 'Sign-in is unavailable right now. Nothing was changed; try again shortly.';

/**
 * A form that posts to a route handler (lib/web/form-post.ts). Without JavaScript it is a plain
 * form, answered with the next page; with JavaScript this posts it asking for JSON: either the
 * page to go to (a full navigation, so every layout sees the new session), or the form's state
 * (its message), shown without leaving the page. The fields named in `clear` (a password, a
 * code) are emptied after a refusal, and the first empty required field gets the focus. A second
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
    const values = Object.fromEntries(
      [...body].filter(([name, value]) => !clear.includes(name) && typeof value === 'string'),
    ) as Record<string, string>;
    setPending(true);
    let answer: FormState & { redirect?: string };
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
      });
      const json = response.headers.get('content-type')?.includes('application/json');
      answer =
        response.ok && json
          ? await response.json()
          : { error: REFUSED[response.status] ?? UNAVAILABLE, values };
    } catch {
      answer = { error: UNREACHABLE, values };
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
    const empty = [...form.querySelectorAll<HTMLInputElement>('input[required]')].find(
      (field) => field.value === '',
    );
    empty?.focus();
  }

  return { state, pending, onSubmit };
}
