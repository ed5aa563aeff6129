import { cookies } from 'next/headers';
import { z } from 'zod';
import { env } from '@/lib/env';
import { runPasswordStep, signInGateSlots } from '@/lib/web/password-step';
import { requestInfoFrom } from '@/lib/web/request-info';
import { cookieOptions, deviceCookieName, ticketCookieName } from '@/lib/auth/cookies';
import { startSession } from '@/lib/web/finish-sign-in';
import { setDeviceToken } from '@/lib/web/device-cookie';
import { UNAVAILABLE_MESSAGE } from '@/lib/auth/form-state';
import { tooManyAttemptsMessage } from '@/lib/rate-limit/too-many-attempts';
import { isGateFullError, signInGate } from '@/lib/auth/sign-in-gate';
import {
  crossSiteRefusal,
  isCrossSitePost,
  nextPage,
  readForm,
  wantsJson,
} from '@/lib/web/form-post';
import { formRefusal } from '@/lib/web/form-answer';
import { busyJson, busyResponse } from '@/lib/web/busy-response';
import { PASSWORD_FORM } from '../password-form-name';

// The password step (`POST /login/password`): the sign-in form posts here, as a plain form
// without JavaScript (answered with a 303) or from its own script (answered with JSON). A route
// handler rather than a server action: a login is the hottest request there is (issue 13), and
// an action costs its machinery and a render for every redirect. What an action had for free is
// done here: the same-origin check (SE-08, lib/web/form-post.ts) and the error shown on the page
// a plain post returns to (lib/web/form-flash.ts).

const INVALID = 'The username or password is incorrect.';
const signInForm = { name: PASSWORD_FORM, page: '/login' } as const;

const credentials = z.object({
  username: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(4096),
});

export async function POST(request: Request): Promise<Response> {
  if (isCrossSitePost(request.headers)) return crossSiteRefusal();
  // Past the instance's capacity the step is refused at once, before the body is read or anything
  // is checked or counted (P5, decision 0014); its size: signInGateSlots (decision 0034).
  const gate = signInGate(signInGateSlots(), env.SIGN_IN_QUEUE_WAIT_MS);
  if (gate.full()) return busy(request, '');

  const form = await readForm(request);
  if (form instanceof Response) return form;
  const username = String(form.get('username') ?? '');
  const parsed = credentials.safeParse({ username, password: form.get('password') });
  if (!parsed.success)
    return formRefusal(request, signInForm, {
      error: 'Enter your username and password.',
      values: { username },
    });

  try {
    return await gate.run(() => passwordStep(request, parsed.data, username));
  } catch (error) {
    if (!isGateFullError(error)) throw error;
    return busy(request, username);
  }
}

async function passwordStep(
  request: Request,
  input: z.infer<typeof credentials>,
  username: string,
): Promise<Response> {
  const jar = await cookies();
  let result;
  try {
    result = await runPasswordStep({
      ...input,
      deviceToken: jar.get(deviceCookieName)?.value,
      ...requestInfoFrom(request.headers),
    });
  } catch (error) {
    console.error('sign-in: password step failed', error);
    return formRefusal(request, signInForm, { error: UNAVAILABLE_MESSAGE, values: { username } });
  }
  // A locked account gets INVALID too (BF-01); a limit names only when to try again (BF-04).
  if (!result.ok && result.reason === 'limited')
    return formRefusal(
      request,
      signInForm,
      { error: tooManyAttemptsMessage(result.retryAfterSeconds), values: { username } },
      result.retryAfterSeconds,
    );
  if (!result.ok) return formRefusal(request, signInForm, { error: INVALID, values: { username } });

  // The rotated device token replaces the old one at once (TD-04).
  if (result.device) await setDeviceToken(result.device.token, result.device.expiresAt);
  if (result.next === 'session') {
    const refusal = await startSession(result.ticketId);
    if (refusal) return formRefusal(request, signInForm, { error: refusal, values: { username } });
    return nextPage(request, '/account');
  }
  jar.set(ticketCookieName, result.ticketId, {
    ...cookieOptions,
    maxAge: env.LOGIN_TICKET_TTL_SECONDS,
  });
  return nextPage(request, '/login/method');
}

/**
 * Retry-After: the form's message for its script (a 200, as formRefusal answers it), a 503 page for
 * a plain post. The same answers as the early refusal's (lib/web/early-refusal.ts).
 */
function busy(request: Request, username: string): Response {
  return wantsJson(request.headers) ? busyJson(username) : busyResponse();
}
