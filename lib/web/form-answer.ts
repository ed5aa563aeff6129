import 'server-only';
import type { FormState } from '@/lib/auth/form-state';
import { nextPage, wantsJson } from '@/lib/web/form-post';
import { setFlash } from '@/lib/web/form-flash';

/** A form posted to a route handler: its name (for the flash) and the page it lives on. */
export type PostedForm = { name: string; page: `/${string}` };

/**
 * The form's message: JSON for its script, or back to its page (with the message in the flash)
 * for a plain post. The JSON answer is a 200 whatever the refusal (with Retry-After where a wait
 * applies): a browser logs every failed fetch to the console, and a wrong password is not a fault.
 */
export async function formRefusal(
  request: Request,
  form: PostedForm,
  state: FormState,
  retryAfterSeconds?: number,
): Promise<Response> {
  if (wantsJson(request.headers))
    return Response.json(state, {
      headers: {
        'Cache-Control': 'no-store',
        ...(retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {}),
      },
    });
  await setFlash(form.name, state);
  return nextPage(request, form.page);
}
