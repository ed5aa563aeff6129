import 'server-only';
import { after } from 'next/server';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { recordEvent } from '@/lib/audit/record-event';
import { deriveCodeKey } from '@/lib/otp/code';
import { getSender } from '@/lib/otp/delivery/senders';
import { getExpiringStore } from '@/lib/store/store';
import { getRateLimiter } from '@/lib/rate-limit/get-rate-limiter';
import { redeemDeviceToken, trustDevice } from '@/lib/devices/trusted-devices';
import { startSignInSession } from '@/lib/auth/session-record';
import type { SignInDeps, SignInUser } from '@/lib/auth/sign-in';

// Picks the real collaborators of the sign-in flow from configuration.

const userFields = {
  id: true,
  username: true,
  email: true,
  phone: true,
  passwordHash: true,
  twoFactor: true,
  disabled: true,
} as const;

let hmacKey: Buffer | undefined;

export function getSignInDeps(): SignInDeps {
  hmacKey ??= deriveCodeKey(env.AUTH_SECRET);
  return {
    store: getExpiringStore(),
    users: {
      findByUsernameKey: (usernameKey): Promise<SignInUser | null> =>
        db.user.findUnique({ where: { usernameKey }, select: userFields }),
      findById: (id): Promise<SignInUser | null> =>
        db.user.findUnique({ where: { id }, select: userFields }),
      updatePasswordHash: async (id, passwordHash) => {
        await db.user.update({ where: { id }, data: { passwordHash } });
      },
      recordSignIn: async (id, at) => {
        await db.user.update({ where: { id }, data: { lastSignInAt: at } });
      },
    },
    // The sign-in audits a device's use with the session's rows, in one statement.
    devices: {
      redeem: (input) => redeemDeviceToken(input, { recordUse: false }),
      trust: trustDevice,
    },
    senderFor: getSender,
    audit: recordEvent,
    sessions: {
      start: (input) =>
        startSignInSession({ ...input, maxAgeSeconds: env.SESSION_MAX_AGE_HOURS * 3600 }),
    },
    limits: getRateLimiter(),
    hmacKey,
    config: {
      otpTtlSeconds: env.OTP_TTL_SECONDS,
      resendCooldownSeconds: env.OTP_RESEND_COOLDOWN_SECONDS,
      ticketTtlSeconds: env.LOGIN_TICKET_TTL_SECONDS,
      requireTwoFactor: env.REQUIRE_TWO_FACTOR,
      origin: env.APP_ORIGIN,
      trustedDeviceDays: env.TRUSTED_DEVICE_DAYS,
      smsKillSwitch: env.SMS_KILL_SWITCH,
      smsAllowedCallingCodes: env.SMS_ALLOWED_COUNTRY_CODES,
    },
    now: Date.now,
    defer: (task) =>
      after(() => task().catch((error) => console.error('sign-in: deferred work failed', error))),
  };
}
