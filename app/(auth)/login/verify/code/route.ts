import { cookies } from 'next/headers';
import { submitCode } from '@/lib/auth/sign-in-code';
import { getSignInDeps } from '@/lib/web/wiring';
import { requestInfoFrom } from '@/lib/web/request-info';
import { ticketCookieName } from '@/lib/auth/cookies';
import { startSession } from '@/lib/web/finish-sign-in';
import { UNAVAILABLE_MESSAGE } from '@/lib/auth/form-state';
import { crossSiteRefusal, isCrossSitePost, nextPage, readForm } from '@/lib/web/form-post';
import { formRefusal } from '@/lib/web/form-answer';
import { codeRefusalState } from '../../code-refusal';
import { CODE_FORM } from '../code-form-name';

// The code step (`POST /login/verify/code`), the second hottest request after the password step:
// a route handler for the same reasons (see ../../password/route.ts), answering the code form's
// script with JSON and a plain post with a 303. One store round trip decides the code (decision
// 0013); a match without "trust this browser" becomes the session in this request.

const codeForm = { name: CODE_FORM, page: '/login/verify' } as const;

export async function POST(request: Request): Promise<Response> {
  if (isCrossSitePost(request.headers)) return crossSiteRefusal();
  const form = await readForm(request);
  if (form instanceof Response) return form;
  const code = String(form.get('code') ?? '').replace(/[\s-]/g, '');
  const trust = form.get('trust') === '1';
  const ticketId = (await cookies()).get(ticketCookieName)?.value;
  let result;
  try {
    result = await submitCode(getSignInDeps(), {
      ticketId,
      code,
      trust,
      ...requestInfoFrom(request.headers),
    });
  } catch (error) {
    console.error('sign-in: checking a code failed', error);
    return formRefusal(request, codeForm, { error: UNAVAILABLE_MESSAGE });
  }
  if (result.ok && result.next === 'device-name') return nextPage(request, '/login/device');
  if (result.ok && result.next === 'enrol') return nextPage(request, '/login/enrol');
  if (result.ok && ticketId) {
    const refusal = await startSession(ticketId);
    if (refusal) return formRefusal(request, codeForm, { error: refusal });
    return nextPage(request, '/account');
  }
  if (result.ok || result.reason === 'no-ticket') return nextPage(request, '/login?notice=expired');
  return formRefusal(
    request,
    codeForm,
    codeRefusalState(result),
    result.reason === 'limited' ? result.retryAfterSeconds : undefined,
  );
}
