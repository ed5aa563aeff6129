'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import type { FormState } from '@/lib/auth/form-state';

const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';

/**
 * A form that posts to a route handler (lib/web/form-post.ts). Without JavaScript it is a plain
 * form, answered with the next page; with JavaScript this posts it asking for JSON: either the
 * page to go to, or the form's state (its message), shown without leaving the page. The fields
 * named in `clear` (a password, a code) are emptied and the first of them focused after a refusal.
 */
export function usePostedForm(
  url: string,
  { initial = {}, clear = [] }: { initial?: FormState; clear?: string[] } = {},
) {
  const router = useRouter();
  const [state, setState] = useState<FormState>(initial);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = new FormData(form);
    setPending(true);
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
      });
      const answer = (await response.json()) as FormState & { redirect?: string };
      if (answer.redirect) {
        router.push(answer.redirect);
        return; // stays pending until the next page replaces this one
      }
      setState(answer);
    } catch {
      const values = Object.fromEntries(
        [...body].filter(([name, value]) => !clear.includes(name) && typeof value === 'string'),
      ) as Record<string, string>;
      setState({ error: UNREACHABLE, values });
    }
    setPending(false);
    const fields = clear
      .map((name) => form.elements.namedItem(name))
      .filter((field): field is HTMLInputElement => field instanceof HTMLInputElement);
    for (const field of fields) field.value = '';
    fields[0]?.focus();
  }

  return { state, pending, onSubmit };
}
