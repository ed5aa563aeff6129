import { peekVerifiedTicket, trustClaimKey } from '@/lib/auth/login-ticket';
import type { DeviceGrant, LoginTicket, RequestInfo, SignInDeps } from '@/lib/auth/sign-in-types';
import { newDeviceNotice } from '@/lib/notices/new-device-notice';
import { sendNotice } from '@/lib/notices/send-notice';

// Step 4 of the sign-in: naming the browser the person asked to trust (TD-08, TD-09).

/** The device-name step: a verified ticket whose person asked to trust this browser. */
export async function viewDeviceNaming(
  deps: SignInDeps,
  ticketId: string | undefined,
): Promise<LoginTicket | null> {
  const ticket = await peekVerifiedTicket(deps.store, ticketId, deps.now());
  // Trust comes only with a second factor entered (TD-08), never with a trusted browser's sign-in.
  const factorMethods = ['code', 'passkey', 'authenticator-app', 'backup-code'];
  return ticket?.trustRequested && factorMethods.includes(ticket.method ?? '') ? ticket : null;
}

export type NameDeviceResult =
  { ok: true; device: DeviceGrant } | { ok: false; reason: 'no-ticket' };

/**
 * Trusts this browser for the user of a verified ticket (step 4), once per ticket, and tells the
 * user by email (TD-09). The session itself is then made from the same ticket by completeSignIn.
 */
export async function nameDevice(
  deps: SignInDeps,
  input: { ticketId: string | undefined; name: string } & RequestInfo,
): Promise<NameDeviceResult> {
  const ticket = await viewDeviceNaming(deps, input.ticketId);
  if (!ticket || !input.ticketId) return { ok: false, reason: 'no-ticket' };
  const claimed = await deps.store.putIfAbsent(trustClaimKey(input.ticketId), 1, 10 * 60_000);
  if (!claimed) return { ok: false, reason: 'no-ticket' };
  const user = await deps.users.findById(ticket.userId);
  if (!user || user.disabled) return { ok: false, reason: 'no-ticket' };

  const now = new Date(deps.now());
  const device = await deps.devices.trust({
    userId: user.id,
    name: input.name,
    lifetimeDays: deps.config.trustedDeviceDays,
    now,
    ip: input.ip,
    userAgent: input.userAgent,
    location: input.location,
  });
  // The notice is best effort: the sign-in the person just proved should not fail for it.
  const message = newDeviceNotice({
    to: user.email,
    deviceName: input.name,
    at: now,
    ip: input.ip,
    origin: deps.config.origin,
    confirmedWith: secondStepInWords(ticket),
  });
  await sendNotice(deps, {
    message,
    kind: 'new-device',
    userId: user.id,
    ip: input.ip,
    userAgent: input.userAgent,
    detail: { deviceId: device.deviceId },
  });
  return { ok: true, device };
}

/** Which second step a trust came with, for the owner's notice: a stolen factor shows there. */
function secondStepInWords(ticket: LoginTicket): string | undefined {
  switch (ticket.method) {
    case 'authenticator-app':
      return 'an authenticator app';
    case 'backup-code':
      return 'a backup code';
    case 'passkey':
      return 'a passkey';
    case 'code':
      return ticket.channel === 'voice'
        ? 'a code by voice call'
        : ticket.channel === 'sms'
          ? 'a code by SMS'
          : 'a code by email';
    default:
      return undefined;
  }
}
