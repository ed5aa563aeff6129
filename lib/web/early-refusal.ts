import type { IncomingMessage } from 'node:http';
import { existingSignInGate } from '@/lib/auth/sign-in-gate';
import { STATIC_SECURITY_HEADERS } from '@/lib/security/static-headers';
import { busyJson, busyResponse } from '@/lib/web/busy-response';
import { isCrossSitePost, wantsJson } from '@/lib/web/form-post';
import { pathsExempt } from '@/lib/web/request-admission';
import { PASSWORD_STEP_PATH } from '@/app/(auth)/login/password-form-name';

// The password step refused before Next.js sees it (decision 0035). When the sign-in gate is
// full, the route handler (app/(auth)/login/password/route.ts) refuses the step at once anyway,
// but only after Next.js has routed the request and built its context: 0.83 CPU ms a refusal,
// and in an overload at twice the capacity there are about as many refusals as sign-ins, taken
// from the cores the sign-ins need. Here the same answer is given from the request's headers
// alone, by the request admission (lib/web/request-admission.ts), for a small fraction of that.
//
// Nothing is read, checked or counted, as in the route: the same 503 page for a plain form post,
// the same JSON for the form's script. A cross-site post is left to the route, which refuses it
// with 403 first, full gate or not (SE-08). Only a gate some password step has already made is
// consulted; before the first step there is nothing to be full.

const isPasswordStep = pathsExempt([PASSWORD_STEP_PATH]);

const READ = ['origin', 'sec-fetch-site', 'host', 'x-forwarded-host', 'accept'] as const;

/** The answer to a password step this instance has no room for, or null to let the app have it. */
export function earlyPasswordStepRefusal(request: IncomingMessage): Response | null {
  if (request.method !== 'POST' || !isPasswordStep(request)) return null;
  if (!existingSignInGate()?.full()) return null;
  // The headers the cross-site check and the choice of answer read, and no others.
  const headers = new Headers();
  for (const name of READ) {
    const value = request.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  if (isCrossSitePost(headers)) return null;
  const answer = wantsJson(headers) ? busyJson('') : busyResponse();
  for (const { key, value } of STATIC_SECURITY_HEADERS) answer.headers.set(key, value);
  return answer;
}
