'use server';

import { redirect, unstable_rethrow } from 'next/navigation';
import { nameDevice } from '@/lib/auth/sign-in-device';
import { getSignInDeps } from '@/lib/web/wiring';
import { getRequestInfo } from '@/lib/web/request-info';
import { getTicketId } from '@/lib/web/pending-sign-in';
import { finishSignIn } from '@/lib/web/finish-sign-in';
import { setDeviceToken } from '@/lib/web/device-cookie';
import { parseDeviceName } from '@/lib/devices/device-name';
import { UNAVAILABLE_MESSAGE, type FormState } from '@/lib/auth/form-state';

/** Step 4: name this browser, trust it, and sign in. "Skip" signs in without trusting it. */
export async function nameDeviceAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const ticketId = await getTicketId();
  if (!ticketId) redirect('/login?notice=expired');
  if (formData.get('skip') === '1') return finishSignIn(ticketId);

  const typed = String(formData.get('name') ?? '');
  const parsed = parseDeviceName(typed);
  if (!parsed.ok) return { error: parsed.error, values: { name: typed } };
  let result;
  try {
    result = await nameDevice(getSignInDeps(), {
      ticketId,
      name: parsed.name,
      ...(await getRequestInfo()),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error('sign-in: trusting the device failed', error);
    return { error: UNAVAILABLE_MESSAGE, values: { name: typed } };
  }
  if (!result.ok) redirect('/login?notice=expired');
  await setDeviceToken(result.device.token, result.device.expiresAt);
  return finishSignIn(ticketId, { values: { name: typed } });
}
