import type { AuditEventInput } from '@/lib/audit/record-event';
import type { TimedAuditEvent } from '@/lib/auth/session-record';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import type { Channel, Sender } from '@/lib/otp/delivery/sender';
import { checkPassword, hashPassword } from '@/lib/auth/password';
import {
  codeKey,
  cooldownKey,
  createTicket,
  handOver,
  isWellFormedTicketId,
  NAMING_TTL_MS,
  newTicketId,
  peekVerifiedTicket,
  readTicket,
  saveTicket,
  takeHandoff,
  takeVerifiedTicket,
  ticketKey,
  trustClaimKey,
  verifiedKey,
  type LoginTicket,
  type SignInMethod,
} from '@/lib/auth/login-ticket';
import { tellOwnerOfWrongCodes } from '@/lib/auth/failed-code-notice';
import {
  codeSendRefusal,
  passwordLimitRefusal,
  recordFailedPassword,
} from '@/lib/auth/sign-in-limits';
import { composeNewDeviceNotice } from '@/lib/devices/new-device-notice';
import { issueCode } from '@/lib/otp/issue-code';
import { hashCode, isWellFormedCode } from '@/lib/otp/code';
import { maskEmail, maskPhone } from '@/lib/otp/mask-destination';
import {
  clearPasswordFailures,
  codeFailuresKey,
  lockStatus,
} from '@/lib/rate-limit/account-lockout';
import { countersToRestart, phoneChannelsOpen } from '@/lib/rate-limit/code-send-limits';
import { retryAfterSeconds, type RateLimiter } from '@/lib/rate-limit/rate-limiter';
import { canonicalUsername } from '@/lib/users/username';

// The sign-in flow as plain functions: password → ticket → channel → code → verified ticket →
// session. Collaborators come in as `deps` (wired in lib/auth/sign-in-deps.ts), so the rules can
// be tested against a real store and database without Next.js in the way.

export type SignInUser = {
  id: string;
  username: string;
  email: string;
  phone: string | null;
  passwordHash: string;
  twoFactor: boolean;
  disabled: boolean;
};

export type SignInDeps = {
  store: ExpiringStore;
  users: {
    findByUsernameKey(usernameKey: string): Promise<SignInUser | null>;
    findById(id: string): Promise<SignInUser | null>;
    updatePasswordHash(id: string, passwordHash: string): Promise<void>;
    recordSignIn(id: string, at: Date): Promise<void>;
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
  senderFor(channel: Channel): Sender | null;
  audit(event: AuditEventInput): Promise<void>;
  sessions: {
    /**
     * Ends a proven sign-in in one statement: lastSignInAt, the sign-in's audit events and the
     * session row (SE-06); the new session id, or null when the user is gone or disabled.
     */
    start(
      input: { userId: string; at: Date; events: TimedAuditEvent[] } & RequestInfo,
    ): Promise<string | null>;
  };
  /** The policy table's counters (lib/rate-limit/policies.ts). */
  limits: RateLimiter;
  hmacKey: Buffer;
  config: {
    otpTtlSeconds: number;
    resendCooldownSeconds: number;
    ticketTtlSeconds: number;
    requireTwoFactor: boolean;
    origin: string;
    trustedDeviceDays: number;
    /** SMS_KILL_SWITCH: SMS and voice are not offered, email is (FR-03). */
    smsKillSwitch: boolean;
    /** SMS_ALLOWED_COUNTRY_CODES: where SMS and voice codes may go (FR-01). */
    smsAllowedCallingCodes: readonly string[];
  };
  now(): number;
  /**
   * Runs work after the response has been sent (Next.js `after()`), for what must not make an
   * answer slower or reveal anything by its timing (BF-04), e.g. a notice email.
   */
  defer(task: () => Promise<void>): void;
};

/** Who is asking: client IP, user agent, and approximate place when the platform tells it. */
export type RequestInfo = { ip: string | null; userAgent: string | null; location?: string | null };

/** A trusted-device token for the browser's cookie, and when its trust ends. */
export type DeviceGrant = { token: string; deviceId: string; expiresAt: Date };

/** Wrong codes across all codes and channels of one account before codes are refused (OTP-05; NIST's ceiling). */
export const ACCOUNT_CODE_FAILURE_LIMIT = 100;
const ACCOUNT_CODE_FAILURE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A request refused by a limit: when to try again, never which limit (BF-04). */
export type Limited = { ok: false; reason: 'limited'; retryAfterSeconds: number };

export type PasswordResult =
  | { ok: true; ticketId: string; next: 'method' | 'session'; device?: DeviceGrant }
  | { ok: false; reason: 'invalid' }
  | Limited;

/**
 * Step 1. Unknown user, wrong password, disabled and locked account give one answer, in the
 * same time: the password is always hashed, against a dummy hash when there is no user (PW-10)
 * or the name is locked (BF-01), and every failure is counted against the name, known or not.
 */
export async function submitPassword(
  deps: SignInDeps,
  input: { username: string; password: string; deviceToken?: string } & RequestInfo,
): Promise<PasswordResult> {
  const who = { ip: input.ip, userAgent: input.userAgent };
  const usernameKey = canonicalUsername(input.username);
  // The address and global limits are decided before any account is looked at, so the answer is
  // alike for every username (BF-05, BF-04); the name's lock is read in the same step (BF-01).
  const [limited, lock] = await Promise.all([
    passwordLimitRefusal(deps, input),
    usernameKey ? lockStatus(deps.store, usernameKey) : null,
  ]);
  if (limited) return limited;

  const locked = lock?.lockedForMs ?? null;
  // PostgreSQL text cannot hold U+0000, and no username contains it: such input matches nobody.
  const user =
    usernameKey && !usernameKey.includes('\u0000')
      ? await deps.users.findByUsernameKey(usernameKey)
      : null;
  // While locked the real hash is not consulted: the right password gets the dummy's answer and
  // time, so trying it tells nothing (BF-01).
  const check = await checkPassword(input.password, locked ? undefined : user?.passwordHash);
  if (locked || !check.ok || !user || user.disabled) {
    const reason = locked
      ? 'locked'
      : !user
        ? 'unknown-user'
        : user.disabled && check.ok
          ? 'disabled'
          : 'wrong-password';
    await recordFailedPassword(deps, { usernameKey, user, typed: input.username, reason, ...who });
    return { ok: false, reason: 'invalid' };
  }
  // A name with no failures has nothing to forget: most sign-ins skip this round trip.
  if (lock && (lock.failures > 0 || lock.lockedForMs !== null))
    await clearPasswordFailures(deps.store, usernameKey);
  if (check.needsRehash) {
    await deps.users.updatePasswordHash(user.id, await hashPassword(input.password));
    await deps.audit({ type: 'password.rehashed', userId: user.id, ...who });
  }

  const now = deps.now();
  const passwordOnly = !user.twoFactor && !deps.config.requireTwoFactor;
  // A trusted browser skips the code, never the password: it is checked only now (TD-05: the
  // token must belong to this user; TD-03: the database decides; TD-04: it rotates).
  const device =
    passwordOnly || !input.deviceToken
      ? null
      : await deps.devices.redeem({
          token: input.deviceToken,
          userId: user.id,
          now: new Date(now),
          ...who,
        });
  const method: SignInMethod | null = passwordOnly
    ? 'password-only'
    : device
      ? 'trusted-device'
      : null;
  const passwordOk: AuditEventInput = {
    type: 'signin.password_ok',
    userId: user.id,
    ...who,
    detail: { next: method ?? 'code' },
  };
  if (method) {
    // Proven: no ticket in the store. The proof waits in this process for the Credentials
    // provider, which this same request calls next; its audit rows go with the session's.
    const id = newTicketId();
    const used: TimedAuditEvent[] = device
      ? [
          {
            type: 'device.used',
            userId: user.id,
            ...who,
            detail: { deviceId: device.deviceId },
            at: new Date(now),
          },
        ]
      : [];
    handOver<SignInUser, TimedAuditEvent>(
      id,
      { userId: user.id, method, user, events: [{ ...passwordOk, at: new Date(now) }, ...used] },
      now,
    );
    return { ok: true, ticketId: id, next: 'session', ...(device ? { device } : {}) };
  }
  const { id } = await createTicket(deps.store, {
    userId: user.id,
    stage: 'password',
    ttlSeconds: deps.config.ticketTtlSeconds,
    now,
  });
  await deps.audit(passwordOk);
  return { ok: true, ticketId: id, next: 'method' };
}

export type ChannelChoice = { channel: Channel; destination: string };

/**
 * The channels this account can use now, with masked destinations read from the database. SMS
 * and voice only to an allowed country, without the kill switch, within the day's budget.
 */
export async function channelChoices(deps: SignInDeps, user: SignInUser): Promise<ChannelChoice[]> {
  const choices: ChannelChoice[] = [];
  if (deps.senderFor('email'))
    choices.push({ channel: 'email', destination: maskEmail(user.email) });
  const phoneChannels = (['sms', 'voice'] as const).filter((channel) => deps.senderFor(channel));
  if (user.phone && phoneChannels.length) {
    const rules = {
      killSwitch: deps.config.smsKillSwitch,
      allowedCallingCodes: deps.config.smsAllowedCallingCodes,
    };
    if (await phoneChannelsOpen(deps.limits, rules, user.phone)) {
      for (const channel of phoneChannels)
        choices.push({ channel, destination: maskPhone(user.phone) });
    }
  }
  return choices;
}

export type TicketView = { ticket: LoginTicket; user: SignInUser; choices: ChannelChoice[] };

/** The pending sign-in behind a ticket id, or null when there is none (expired, used, forged). */
export async function viewTicket(
  deps: SignInDeps,
  ticketId: string | undefined,
): Promise<TicketView | null> {
  const ticket = await readTicket(deps.store, ticketId, deps.now());
  if (!ticket) return null;
  const user = await deps.users.findById(ticket.userId);
  if (!user || user.disabled) return null;
  return { ticket, user, choices: await channelChoices(deps, user) };
}

export type SendCodeResult =
  | { ok: true; expiresAt: number }
  | { ok: false; reason: 'no-ticket' | 'channel-unavailable' | 'locked' }
  | { ok: false; reason: 'cooldown'; retryAfterSeconds: number }
  | { ok: false; reason: 'delivery-failed'; retryable: boolean }
  | Limited;

/**
 * Steps 2 and 3: send a code by `channel`. The destination is read from the database now, never
 * from the ticket, so a changed email or phone takes effect at the next send (DESIGN.md rule 7).
 * A ticket exists only after a correct password, so no code goes anywhere before one (FR-03);
 * every limit is checked before a sender is called (FR-01).
 */
export async function sendCode(
  deps: SignInDeps,
  input: { ticketId: string | undefined; channel: Channel } & RequestInfo,
): Promise<SendCodeResult> {
  const view = await viewTicket(deps, input.ticketId);
  if (!view || !input.ticketId) return { ok: false, reason: 'no-ticket' };
  const { ticket, user } = view;
  const sender = deps.senderFor(input.channel);
  const destination = input.channel === 'email' ? user.email : user.phone;
  if (!sender || !destination || !view.choices.some((c) => c.channel === input.channel)) {
    return { ok: false, reason: 'channel-unavailable' };
  }
  if (await isAccountCodeLocked(deps, user.id)) return { ok: false, reason: 'locked' };
  // issueCode enforces the cooldown atomically; asking first keeps a refused resend from using up the caps.
  const cooldownLeft =
    deps.config.resendCooldownSeconds > 0
      ? await deps.store.ttlMs(cooldownKey(input.ticketId))
      : null;
  if (cooldownLeft)
    return {
      ok: false,
      reason: 'cooldown',
      retryAfterSeconds: Math.max(1, Math.ceil(cooldownLeft / 1000)),
    };

  const who = { userId: user.id, ip: input.ip, userAgent: input.userAgent };
  const refused = await codeSendRefusal(deps, { ...input, userId: user.id, destination });
  if (refused) return refused;

  const now = deps.now();
  const result = await issueCode({
    store: deps.store,
    sender,
    hmacKey: deps.hmacKey,
    ticketId: input.ticketId,
    channel: input.channel,
    destination,
    ttlSeconds: deps.config.otpTtlSeconds,
    cooldownSeconds: deps.config.resendCooldownSeconds,
    origin: deps.config.origin,
    now,
  });
  if (!result.ok) {
    if (result.reason === 'cooldown') return result;
    await deps.audit({
      type: 'code.send_failed',
      ...who,
      detail: { channel: input.channel, error: result.error.message },
    });
    return { ok: false, reason: 'delivery-failed', retryable: result.retryable };
  }
  // A correct code will restart the counters of the account and of this destination (OTP-06), in
  // the code step's one store operation.
  const restartOnMatch = countersToRestart(deps.limits, {
    userId: user.id,
    channel: input.channel,
    destination,
  });
  await saveTicket(
    deps.store,
    input.ticketId,
    {
      ...ticket,
      stage: 'code-sent',
      channel: input.channel,
      codeExpiresAt: result.expiresAt,
      codeSentAt: result.sentAt,
      restartOnMatch,
    },
    now,
  );
  await deps.audit({
    type: 'code.sent',
    ...who,
    detail: {
      channel: input.channel,
      to: view.choices.find((c) => c.channel === input.channel)?.destination ?? null,
    },
  });
  return { ok: true, expiresAt: result.expiresAt };
}

export type SubmitCodeResult =
  | { ok: true; next: 'session' | 'device-name' }
  | { ok: false; reason: 'no-ticket' | 'no-code' | 'malformed' | 'expired' | 'burnt' | 'locked' }
  | { ok: false; reason: 'mismatch'; attemptsLeft: number }
  | Limited;

/**
 * Step 3: the code, decided in one store operation (one Redis round trip): the ticket and its
 * stage, the account's wrong-code counter (OTP-05), the sign-in's try count, the attempt, and on
 * a match the clean-up. A match with "trust this browser" leaves a verified ticket in the store
 * for the device-name step; without it, the proof is handed in-process to completeSignIn, which
 * the same request calls next.
 */
export async function submitCode(
  deps: SignInDeps,
  input: { ticketId: string | undefined; code: string; trust?: boolean } & RequestInfo,
): Promise<SubmitCodeResult> {
  const now = deps.now();
  const ticketId = input.ticketId;
  if (!isWellFormedTicketId(ticketId)) return { ok: false, reason: 'no-ticket' };
  const code = input.code.trim();
  // A malformed entry (not six digits) cannot be a guess at the code: it costs no try.
  const wellFormed = isWellFormedCode(code);
  const trust = !!input.trust;
  const result = await deps.store.checkTicketCode<LoginTicket>({
    ticketKey: ticketKey(ticketId),
    codeKey: codeKey(ticketId),
    cooldownKey: cooldownKey(ticketId),
    verifiedKey: verifiedKey(ticketId),
    failuresKeyPrefix: codeFailuresKey(''),
    codeHash: wellFormed ? hashCode(deps.hmacKey, ticketId, code) : null,
    nowMs: now,
    accountFailureLimit: ACCOUNT_CODE_FAILURE_LIMIT,
    accountFailureWindowMs: ACCOUNT_CODE_FAILURE_WINDOW_MS,
    ticketTryLimit: deps.limits.policies['code-try-ticket'].limit,
    // Trust is granted only together with a correct code (TD-08): the request rides on this ticket.
    verifiedTtlMs: trust ? NAMING_TTL_MS : null,
    trustRequested: trust,
  });
  if (result.outcome === 'no-ticket') return { ok: false, reason: 'no-ticket' };
  const { ticket } = result;
  const who = { userId: ticket.userId, ip: input.ip, userAgent: input.userAgent };
  switch (result.outcome) {
    case 'no-code':
    case 'locked':
    case 'malformed':
      return { ok: false, reason: result.outcome };
    case 'limited':
      await deps.audit({
        type: 'ratelimit.hit',
        ...who,
        detail: { policy: 'code-try-ticket', step: 'code' },
      });
      return {
        ok: false,
        reason: 'limited',
        retryAfterSeconds: retryAfterSeconds(ticket.expiresAt, now),
      };
    case 'match':
      // The store has also restarted the send counters of the account and of the destination the
      // code reached (OTP-06: a person who receives their codes is never capped).
      if (!trust) handOver(ticketId, { userId: ticket.userId, method: 'code', events: [] }, now);
      return { ok: true, next: trust ? 'device-name' : 'session' };
    case 'mismatch': {
      const burnt = result.attemptsLeft <= 0;
      await deps.audit({
        type: burnt ? 'code.burnt' : 'code.rejected',
        ...who,
        detail: { channel: ticket.channel ?? null },
      });
      await tellOwnerOfWrongCodes(deps, {
        ticketId,
        ticket,
        ip: input.ip,
        userAgent: input.userAgent,
      });
      return burnt
        ? { ok: false, reason: 'burnt' }
        : { ok: false, reason: 'mismatch', attemptsLeft: result.attemptsLeft };
    }
    case 'expired':
      await deps.audit({
        type: 'code.expired',
        ...who,
        detail: { channel: ticket.channel ?? null },
      });
      return { ok: false, reason: 'expired' };
    case 'missing':
      return ticket.codeExpiresAt && ticket.codeExpiresAt <= now
        ? { ok: false, reason: 'expired' }
        : { ok: false, reason: 'no-code' };
  }
}

async function isAccountCodeLocked(deps: SignInDeps, userId: string): Promise<boolean> {
  const failures = (await deps.store.get<number>(codeFailuresKey(userId))) ?? 0;
  return failures >= ACCOUNT_CODE_FAILURE_LIMIT;
}

/**
 * The only way to a session: consumes a proven sign-in once, the in-process handoff of this
 * request or else a verified ticket in the store (the device-name step's), and ends it with one
 * statement (lastSignInAt, audit rows, session row). Called by the Auth.js Credentials
 * provider's authorize(); concurrent calls with one ticket yield one session (OTP-03).
 */
export async function completeSignIn(
  deps: SignInDeps,
  input: { ticketId: string } & RequestInfo,
): Promise<{ userId: string; method: SignInMethod; sessionId: string } | null> {
  const now = deps.now();
  const handoff = takeHandoff<SignInUser, TimedAuditEvent>(input.ticketId, now);
  const proof = handoff ?? (await takeVerifiedTicket(deps.store, input.ticketId, now));
  if (!proof) return null;
  const user = handoff?.user ?? (await deps.users.findById(proof.userId));
  if (!user || user.disabled) return null;
  const method = proof.method ?? 'code';
  const who = { ip: input.ip, userAgent: input.userAgent };
  const succeeded: TimedAuditEvent = {
    type: 'signin.succeeded',
    userId: user.id,
    ...who,
    detail: { method },
    at: new Date(now),
  };
  const sessionId = await deps.sessions.start({
    userId: user.id,
    ...who,
    at: new Date(now),
    events: [...(handoff?.events ?? []), succeeded],
  });
  return sessionId ? { userId: user.id, method, sessionId } : null;
}

/** The device-name step: a verified ticket whose person asked to trust this browser. */
export async function viewDeviceNaming(
  deps: SignInDeps,
  ticketId: string | undefined,
): Promise<LoginTicket | null> {
  const ticket = await peekVerifiedTicket(deps.store, ticketId, deps.now());
  return ticket?.trustRequested && ticket.method === 'code' ? ticket : null;
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
  const email = deps.senderFor('email');
  try {
    if (!email) throw new Error('no email sender is configured');
    await email.send(
      composeNewDeviceNotice({
        to: user.email,
        deviceName: input.name,
        at: now,
        ip: input.ip,
        origin: deps.config.origin,
      }),
    );
  } catch (error) {
    // The notice is best effort: the sign-in the person just proved should not fail for it.
    await deps.audit({
      type: 'device.notice_failed',
      userId: user.id,
      ip: input.ip,
      userAgent: input.userAgent,
      detail: {
        deviceId: device.deviceId,
        error: String(error instanceof Error ? error.message : error),
      },
    });
  }
  return { ok: true, device };
}
