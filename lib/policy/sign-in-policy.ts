// Which second factors each role may use, and whether it may sign in with the password alone.
// From configuration (SIGN_IN_METHODS_ADMIN, SIGN_IN_METHODS_USER). The default keeps email
// codes away from administrators: whoever reads an admin's mailbox must not also hold the
// admin's second factor. Decision record 0016.

export const SIGN_IN_METHODS = [
  'passkey',
  'authenticator-app',
  'backup-code',
  'sms',
  'voice',
  'email',
] as const;
export type SignInMethodName = (typeof SIGN_IN_METHODS)[number];

export type RolePolicy = {
  methods: readonly SignInMethodName[];
  /** Administrators never sign in with the password alone, whatever their own setting. */
  requireTwoFactor: boolean;
};
export type SignInPolicy = { user: RolePolicy; admin: RolePolicy };

/** The person as far as the policy cares. */
export type PolicySubject = { role: string; emailCodesBlocked: boolean };

export function rolePolicy(policy: SignInPolicy, role: string): RolePolicy {
  return role === 'admin' ? policy.admin : policy.user;
}

/**
 * Whether `method` may be used by this person now: allowed for the role, and for email not
 * blocked since a reset by email link (the mailbox alone is not a way back in, RC-04).
 */
export function methodAllowed(
  policy: SignInPolicy,
  subject: PolicySubject,
  method: SignInMethodName,
): boolean {
  if (method === 'email' && subject.emailCodesBlocked) return false;
  return rolePolicy(policy, subject.role).methods.includes(method);
}

/** Parses a comma-separated list of method names; unknown names are an error, said by name. */
export function parseMethodList(value: string): SignInMethodName[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(SIGN_IN_METHODS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown sign-in method ${unknown.join(', ')}`);
  return names as SignInMethodName[];
}
