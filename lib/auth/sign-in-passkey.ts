import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { NAMING_TTL_MS, readTicket } from '@/lib/auth/login-ticket';
import { factorAnswer } from '@/lib/auth/sign-in-factor';
import { viewTicket, type SubmitCodeResult } from '@/lib/auth/sign-in-code';
import type { LoginTicket, RequestInfo, SignInDeps, SignInMethod } from '@/lib/auth/sign-in-types';
import { checkChallengeFactor } from '@/lib/challenges/check-factor';
import {
  hasPendingPasskeySignIn,
  parseAuthenticationResponse,
  passkeySignInOptions,
  relyingPartyFor,
  verifyPasskeySignIn,
  type PasskeyDeps,
} from '@/lib/factors/passkeys';

// Step 3 with a passkey. The browser first asks for options (a challenge kept server-side under
// the ticket), then posts what the authenticator signed. The answer is checked through the same
// ticket, tries and wrong-code accounting as any code (lib/challenges/check-factor.ts): a
// signature that does not verify is a wrong code.

const passkeyDeps = (deps: SignInDeps): PasskeyDeps => ({
  store: deps.store,
  now: deps.now,
  rp: relyingPartyFor(deps.config.origin),
});

export type PasskeyOptionsResult =
  | { ok: true; options: PublicKeyCredentialRequestOptionsJSON }
  | { ok: false; reason: 'no-ticket' | 'no-passkey' };

/** Options for this sign-in's passkey prompt; only when the method page would offer a passkey. */
export async function startPasskeySignIn(
  deps: SignInDeps,
  ticketId: string | undefined,
): Promise<PasskeyOptionsResult> {
  // The view applies what the account may use; without options no answer can ever be checked.
  const view = await viewTicket(deps, ticketId);
  if (!view || !ticketId) return { ok: false, reason: 'no-ticket' };
  if (!view.factors.passkey) return { ok: false, reason: 'no-passkey' };
  const options = await passkeySignInOptions(passkeyDeps(deps), {
    userId: view.user.id,
    ticketId,
  });
  return options ? { ok: true, options } : { ok: false, reason: 'no-passkey' };
}

export async function submitPasskey(
  deps: SignInDeps,
  input: { ticketId: string | undefined; response: string; trust?: boolean } & RequestInfo,
): Promise<SubmitCodeResult> {
  const trust = !!input.trust;
  const pk = passkeyDeps(deps);
  const response = parseAuthenticationResponse(input.response);
  const ticket = await readTicket(deps.store, input.ticketId, deps.now());
  // Without open options there is nothing to sign against: not a guess, so no try is spent.
  const open =
    !!ticket &&
    !!input.ticketId &&
    (await hasPendingPasskeySignIn(pk, input.ticketId, ticket.userId));

  const method: SignInMethod = 'passkey';
  const result = await checkChallengeFactor<LoginTicket>(deps, {
    id: input.ticketId,
    purpose: 'sign-in',
    factor: 'passkey',
    wellFormed: !!response && open,
    verify: (userId) =>
      verifyPasskeySignIn(pk, { userId, ticketId: input.ticketId!, response: response! }),
    verifiedTtlMs: trust ? NAMING_TTL_MS : null,
    verified: { method, trustRequested: trust },
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return factorAnswer(deps, input.ticketId, result, method, trust);
}
