/** What a sign-in form action returns to `useActionState`: a message, and what to refill. */
export type FormState = {
  error?: string;
  info?: string;
  /** Field values to keep in the form after an error (never a password or a code). */
  values?: Record<string, string>;
};

export const UNAVAILABLE_MESSAGE =
  'Sign-in is unavailable right now. Nothing was changed; try again shortly.';
