import 'server-only';
import { db } from '@/lib/db';
import { getFreshCodeUntil, type FreshCodeDeps } from '@/lib/auth/fresh-code';
import { signOutEverywhere } from '@/lib/auth/sessions/manage-sessions';
import { resetSecondFactors } from '@/lib/admin/reset-second-factors';
import { unlockAccount } from '@/lib/admin/unlock-account';
import { importUpload } from '@/lib/uploads/import-upload';
import { createUser, type CreateUserResult } from '@/lib/admin/create-user';
import { revokeUserDevice, revokeUserDevices } from '@/lib/admin/revoke-user-devices';
import { updateUser, type UpdateUserResult } from '@/lib/admin/update-user';
import type { UserInput } from '@/lib/users/user-form';

// Fresh re-authentication of the ADMIN before changing how someone else signs in (SE-07,
// decision 12). An admin's session may be hours old, or come from a trusted browser that never
// saw a code; whoever sits at it could otherwise hand a user's account to an address of their
// choosing, switch two-step sign-in off, make themselves an admin, or undo a lockout. So these
// changes need the admin's own code entered within SENSITIVE_ACTION_WINDOW_MINUTES: the same
// freshness the account pages use (lib/auth/fresh-code.ts), so one code serves every sensitive
// page, in the admin's own session only.
//
// Each function checks freshness and then makes the change, so an action that calls it cannot
// forget the check. A refusal changes nothing.

export type FreshnessDeps = Pick<FreshCodeDeps, 'store' | 'now' | 'config' | 'currentSessionId'>;
export type NotFresh = { ok: false; reason: 'not-fresh' };
export type Gated<T> = { ok: true; value: T } | NotFresh;

const NOT_FRESH: NotFresh = { ok: false, reason: 'not-fresh' };

/** The fields of a user whose change needs the admin's fresh code: how, and whether, they sign in. */
export const SIGN_IN_FIELDS = [
  'email',
  'phone',
  'twoFactor',
  'role',
  'disabled',
] as const satisfies readonly (keyof UserInput)[];

type SignInFields = Pick<UserInput, (typeof SIGN_IN_FIELDS)[number]>;

/** True when the edit changes any sign-in field (a change of letter case in the email counts too). */
export function changesSignIn(before: SignInFields, input: UserInput): boolean {
  return SIGN_IN_FIELDS.some((field) => input[field] !== before[field]);
}

/** Whether the admin entered a code within the window. */
export async function isAdminFresh(deps: FreshnessDeps, adminId: string): Promise<boolean> {
  return (await getFreshCodeUntil(deps, adminId)) !== null;
}

/** Runs `change` only when the admin's code is fresh. */
export async function whenAdminFresh<T>(
  deps: FreshnessDeps,
  adminId: string,
  change: () => Promise<T>,
): Promise<Gated<T>> {
  if (!(await isAdminFresh(deps, adminId))) return NOT_FRESH;
  return { ok: true, value: await change() };
}

/**
 * An edit on the user page. Name and username alone need no code (they are not how anyone signs
 * in); any sign-in field does. Compared with what is stored now, not with what the form showed.
 */
export async function updateUserAsAdmin(
  deps: FreshnessDeps,
  ...args: Parameters<typeof updateUser>
): Promise<UpdateUserResult | NotFresh> {
  const [userId, input, actor] = args;
  const before = await db.user.findUnique({
    where: { id: userId },
    select: { email: true, phone: true, twoFactor: true, role: true, disabled: true },
  });
  if (!before) return { ok: false, reason: 'not-found' };
  if (changesSignIn(before, input) && !(await isAdminFresh(deps, actor.id))) return NOT_FRESH;
  return updateUser(...args);
}

/** A new user: with the admin role it grants admin rights, so it needs a code; a plain user does not. */
export async function createUserAsAdmin(
  deps: FreshnessDeps,
  ...args: Parameters<typeof createUser>
): Promise<CreateUserResult | NotFresh> {
  const [input, actor] = args;
  if (input.role === 'admin' && !(await isAdminFresh(deps, actor.id))) return NOT_FRESH;
  return createUser(...args);
}

export function revokeDeviceAsAdmin(
  deps: FreshnessDeps,
  ...args: Parameters<typeof revokeUserDevice>
) {
  return whenAdminFresh(deps, args[0].actor.id, () => revokeUserDevice(...args));
}

export function revokeDevicesAsAdmin(
  deps: FreshnessDeps,
  ...args: Parameters<typeof revokeUserDevices>
) {
  return whenAdminFresh(deps, args[0].actor.id, () => revokeUserDevices(...args));
}

/** Removing a user's own factors hands their sign-in back to phone and email: the admin confirms. */
export function resetSecondFactorsAsAdmin(
  deps: FreshnessDeps,
  ...args: Parameters<typeof resetSecondFactors>
) {
  return whenAdminFresh(deps, args[0].actor.id, () => resetSecondFactors(...args));
}

/** Unlocking forgets failed passwords: from a stolen session it would undo BF-01 for a guesser. */
export function unlockAsAdmin(deps: FreshnessDeps, ...args: Parameters<typeof unlockAccount>) {
  return whenAdminFresh(deps, args[0].actor.id, () => unlockAccount(...args));
}

export function signOutEverywhereAsAdmin(
  deps: FreshnessDeps,
  ...args: Parameters<typeof signOutEverywhere>
) {
  return whenAdminFresh(deps, args[0].actorId, () => signOutEverywhere(...args));
}

/**
 * A CSV import: it can create admins and, with "update existing users", change existing users'
 * email, phone, role and two-step sign-in, the same changes as the edit form. The dry run before
 * it only reads the file and needs no code.
 */
export function importUploadAsAdmin(deps: FreshnessDeps, ...args: Parameters<typeof importUpload>) {
  return whenAdminFresh(deps, args[0].adminId, () => importUpload(...args));
}
