import type { RequestInfo } from '@/lib/audit/request-info';
import type { PasswordCheck } from '@/lib/auth/password';
import type { StartedSession, TimedAuditEvent } from '@/lib/auth/session-record';
import type { Challenge } from '@/lib/challenges/challenge';
import type { ChallengeDeps } from '@/lib/challenges/challenge-deps';
import type { SignInPolicy } from '@/lib/policy/sign-in-policy';

// What the sign-in flow works with. The flow is plain functions (sign-in.ts, sign-in-code.ts,
// sign-in-device.ts); their collaborators come in as `deps`, built once by lib/wiring.ts, so the
// rules can be tested against a real store and database without Next.js in the way.

export type { Limited } from '@/lib/challenges/challenge-deps';
export type { RequestInfo } from '@/lib/audit/request-info';

export type SignInUser = {
  id: string;
  username: string;
  email: string;
  phone: string | null;
  passwordHash: string;
  twoFactor: boolean;
  disabled: boolean;
  role: string;
  /** Set by a reset through the emailed link: this sign-in may not use an email code. */
  emailCodesBlocked: boolean;
};

/** A trusted-device token for the browser's cookie, and when its trust ends. */
export type DeviceGrant = { token: string; deviceId: string; expiresAt: Date };

export type SignInMethod =
  'code' | 'passkey' | 'authenticator-app' | 'backup-code' | 'password-only' | 'trusted-device';

/** The second factors a person holds (beside codes we send), as the sign-in sees them. */
export type SignInFactors = {
  hasPasskey(userId: string): Promise<boolean>;
  hasApp(userId: string): Promise<boolean>;
  backupCodesLeft(userId: string): Promise<number>;
  verifyAppCode(input: {
    userId: string;
    code: string;
    now: Date;
  }): Promise<'match' | 'mismatch' | 'replayed' | 'malformed' | 'no-app'>;
  spendBackupCode(input: {
    userId: string;
    code: string;
    now: Date;
  }): Promise<{ ok: true; left: number } | { ok: false; reason: 'malformed' | 'mismatch' }>;
};

/** A pending sign-in: the challenge of its code, and how it ended once verified. */
export type LoginTicket = Challenge & {
  purpose: 'sign-in';
  /** How the sign-in was completed: a code, a trusted device, or the password alone. */
  method?: SignInMethod;
  /** The person ticked "Don't require OTP on this browser" with a correct code (TD-08). */
  trustRequested?: boolean;
  /** An admin with no factor their role allows: the email code only leads to setting one up. */
  enrol?: boolean;
};

export type SignInDeps = ChallengeDeps & {
  /** argon2id (lib/auth/password.ts): `check` against a dummy hash when given none (PW-10). */
  passwords: {
    check(password: string, passwordHash: string | null | undefined): Promise<PasswordCheck>;
    hash(password: string): Promise<string>;
  };
  users: {
    findByUsernameKey(usernameKey: string): Promise<SignInUser | null>;
    findById(id: string): Promise<SignInUser | null>;
    updatePasswordHash(id: string, passwordHash: string): Promise<void>;
    /** A sign-in with a factor other than email lifts the block a reset set. */
    unblockEmailCodes(id: string): Promise<void>;
  };
  devices: {
    /** Uses and rotates a device token; null unless it is this user's live device. The caller audits the use. */
    redeem(
      input: { token: string | undefined; userId: string; now: Date } & RequestInfo,
    ): Promise<DeviceGrant | null>;
    trust(
      input: { userId: string; name: string; lifetimeDays: number; now: Date } & RequestInfo,
    ): Promise<DeviceGrant>;
  };
  factors: SignInFactors;
  sessions: {
    /**
     * Ends a proven sign-in in one statement: lastSignInAt, the sign-in's audit events and the
     * session row (SE-06); the new session id with the user's `emailCodesBlocked`, or null when
     * the user is gone or disabled (nothing is written then).
     */
    start(
      input: { userId: string; at: Date; events: TimedAuditEvent[] } & RequestInfo,
    ): Promise<StartedSession | null>;
  };
  config: ChallengeDeps['config'] & {
    ticketTtlSeconds: number;
    requireTwoFactor: boolean;
    policy: SignInPolicy;
    trustedDeviceDays: number;
  };
};
