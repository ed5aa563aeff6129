import 'server-only';
import { after } from 'next/server';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { recordEvent } from '@/lib/audit/record-event';
import type { FreshCodeDeps } from '@/lib/auth/fresh-code';
import { checkPassword, hashPassword } from '@/lib/auth/password';
import type { PasswordResetDeps } from '@/lib/auth/password-reset';
import { startSignInSession } from '@/lib/auth/session-record';
import { findSignInUserById, findSignInUserByUsernameKey } from '@/lib/auth/sign-in-users';
import type { SignInDeps } from '@/lib/auth/sign-in-types';
import type { ChallengeDeps } from '@/lib/challenges/challenge-deps';
import { deriveCodeKey } from '@/lib/challenges/code';
import {
  redeemDeviceToken,
  revokeAllTrustedDevices,
  trustDevice,
} from '@/lib/devices/trusted-devices';
import { getSender } from '@/lib/delivery/senders';
import { getAppStatus, verifyAppCode } from '@/lib/factors/authenticator-app';
import { countBackupCodesLeft, spendBackupCode } from '@/lib/factors/backup-codes';
import { hasPasskey } from '@/lib/factors/passkeys';
import { endSignInLinks } from '@/lib/invitations/end-sign-in-links';
import { getRateLimiter } from '@/lib/rate-limit/get-rate-limiter';
import { getExpiringStore } from '@/lib/store/store';
import type { ContactChangeDeps } from '@/lib/account/contact-change';

// The one place that builds the real collaborators (store, senders, limiter, clock, audit,
// configuration, repositories) from the environment. Domain functions receive them as `deps`;
// tests build their own. Built once per process; `after()` and the session lookup are only
// called inside a request.

type Wiring = {
  challenge: ChallengeDeps;
  signIn: SignInDeps;
  accountSecurity: AccountSecurityDeps;
  contactChange: ContactChangeDeps;
};

let wiring: Wiring | undefined;

function build(): Wiring {
  const challenge: ChallengeDeps = {
    store: getExpiringStore(),
    limits: getRateLimiter(),
    senderFor: getSender,
    audit: recordEvent,
    emailOf: async (userId) =>
      (await db.user.findUnique({ where: { id: userId }, select: { email: true } }))?.email ?? null,
    hmacKey: deriveCodeKey(env.AUTH_SECRET),
    now: Date.now,
    defer: (task) =>
      after(() => task().catch((error) => console.error('deferred work failed', error))),
    config: {
      otpTtlSeconds: env.OTP_TTL_SECONDS,
      resendCooldownSeconds: env.OTP_RESEND_COOLDOWN_SECONDS,
      origin: env.APP_ORIGIN,
      smsKillSwitch: env.SMS_KILL_SWITCH,
      smsAllowedCallingCodes: env.SMS_ALLOWED_COUNTRY_CODES,
    },
  };
  const signIn: SignInDeps = {
    ...challenge,
    passwords: { check: checkPassword, hash: hashPassword },
    users: {
      // Raw `pg`, like the device redemption and the session's statement (decision 0025).
      findByUsernameKey: findSignInUserByUsernameKey,
      findById: findSignInUserById,
      updatePasswordHash: async (id, passwordHash) => {
        await db.user.update({ where: { id }, data: { passwordHash } });
      },
      unblockEmailCodes: async (id) => {
        await db.user.update({ where: { id }, data: { emailCodesBlocked: false } });
      },
    },
    factors: {
      hasPasskey,
      hasApp: async (userId) => (await getAppStatus(userId)) !== null,
      backupCodesLeft: countBackupCodesLeft,
      verifyAppCode,
      spendBackupCode,
    },
    // The sign-in audits a device's use with the session's rows, in one statement.
    devices: {
      redeem: (input) => redeemDeviceToken(input, { recordUse: false }),
      trust: trustDevice,
    },
    sessions: {
      start: (input) =>
        startSignInSession({ ...input, maxAgeSeconds: env.SESSION_MAX_AGE_HOURS * 3600 }),
    },
    config: {
      ...challenge.config,
      ticketTtlSeconds: env.LOGIN_TICKET_TTL_SECONDS,
      requireTwoFactor: env.REQUIRE_TWO_FACTOR,
      policy: {
        user: { methods: env.SIGN_IN_METHODS_USER, requireTwoFactor: env.REQUIRE_TWO_FACTOR },
        // Administrators never sign in with the password alone.
        admin: { methods: env.SIGN_IN_METHODS_ADMIN, requireTwoFactor: true },
      },
      trustedDeviceDays: env.TRUSTED_DEVICE_DAYS,
    },
  };
  const accountSecurity: AccountSecurityDeps = {
    ...challenge,
    // Imported when first asked: the session lookup goes through Auth.js, which needs this module.
    currentSessionId: async () => (await import('@/lib/web/current-user')).getCurrentSessionId(),
    config: {
      ...challenge.config,
      freshCodeWindowMs: env.SENSITIVE_ACTION_WINDOW_MINUTES * 60_000,
      resetTtlMs: env.PASSWORD_RESET_TTL_MINUTES * 60_000,
    },
  };
  const contactChange: ContactChangeDeps = {
    ...accountSecurity,
    users: {
      contactOf: (userId) =>
        db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, phone: true } }),
      emailTakenByOther: async (userId, email) =>
        !!(await db.user.findFirst({
          where: { id: { not: userId }, email: { equals: email, mode: 'insensitive' } },
          select: { id: true },
        })),
      saveContact: async (userId, kind, to, at) => {
        if (kind === 'phone') {
          await db.user.update({ where: { id: userId }, data: { phone: to, phoneVerifiedAt: at } });
          return;
        }
        // Links sent to the old address end with the change (decision 0019).
        await db.$transaction(async (tx) => {
          await endSignInLinks(tx, challenge.store, { userIds: [userId], now: at });
          await tx.user.update({ where: { id: userId }, data: { email: to, emailVerified: at } });
        });
      },
    },
    revokeTrustedDevices: async ({ userId, kind, ip, userAgent }) => {
      await revokeAllTrustedDevices({
        userId,
        reason: kind === 'email' ? 'email-changed' : 'phone-changed',
        actorId: userId,
        ip,
        userAgent,
      });
    },
    config: { ...accountSecurity.config, phoneRegion: env.PHONE_DEFAULT_REGION },
  };
  return { challenge, signIn, accountSecurity, contactChange };
}

const wired = () => (wiring ??= build());

export type AccountSecurityDeps = FreshCodeDeps &
  PasswordResetDeps & { config: FreshCodeDeps['config'] & PasswordResetDeps['config'] };

export const getChallengeDeps = (): ChallengeDeps => wired().challenge;
export const getSignInDeps = (): SignInDeps => wired().signIn;
/** The fresh code, password change and password reset. */
export const getAccountSecurityDeps = (): AccountSecurityDeps => wired().accountSecurity;
export const getContactChangeDeps = (): ContactChangeDeps => wired().contactChange;
