import { randomUUID } from 'node:crypto';
import { db } from '@/lib/db';
import { hashPassword } from '@/lib/auth/password';
import { getSignInDeps } from '@/lib/web/wiring';
import type { SignInDeps } from '@/lib/auth/sign-in-types';
import type { Channel, OutgoingMessage, Sender } from '@/lib/delivery/sender';
import { canonicalUsername } from '@/lib/users/username';
import { completeSignIn, submitPassword } from '@/lib/auth/sign-in';
import { trustDevice } from '@/lib/devices/trusted-devices';

export const PASSWORD = 'correct horse battery staple';

/** A user made straight in the database, with a name no other test uses. */
export async function createUser(
  overrides: Partial<{
    phone: string | null;
    twoFactor: boolean;
    disabled: boolean;
    passwordHash: string;
  }> = {},
) {
  const username = `user-${randomUUID().slice(0, 8)}`;
  return db.user.create({
    data: {
      username,
      usernameKey: canonicalUsername(username),
      email: `${username}@example.test`,
      phone: overrides.phone === undefined ? '+14155550123' : overrides.phone,
      passwordHash: overrides.passwordHash ?? (await hashPassword(PASSWORD)),
      twoFactor: overrides.twoFactor ?? true,
      disabled: overrides.disabled ?? false,
    },
  });
}

/** A sender that keeps what it was given: the flow's own tests read codes from it. */
export function capturingSender() {
  const sent: OutgoingMessage[] = [];
  const sender: Sender & { sent: OutgoingMessage[]; last(): OutgoingMessage } = {
    sent,
    async send(message) {
      sent.push(message);
    },
    last() {
      const message = sent.at(-1);
      if (!message) throw new Error('nothing was sent');
      return message;
    },
  };
  return sender;
}

/** The real wiring (store from configuration, real database) with a test clock and sender. */
export function testDeps(
  options: {
    sender?: Sender;
    now?: () => number;
    config?: Partial<SignInDeps['config']>;
    senderFor?: (c: Channel) => Sender | null;
  } = {},
) {
  const real = getSignInDeps();
  const sender = options.sender ?? capturingSender();
  const deferred: Array<() => Promise<void>> = [];
  const deps = {
    ...real,
    senderFor: options.senderFor ?? (() => sender),
    now: options.now ?? real.now,
    /** Held until `flushDeferred()`, as Next.js holds `after()` work until the response is sent. */
    defer: (task: () => Promise<void>) => void deferred.push(task),
    config: { ...real.config, resendCooldownSeconds: 0, ...options.config },
  } satisfies SignInDeps;
  return Object.assign(deps, {
    deferred,
    /** Runs the work deferred until after the response, in order. */
    async flushDeferred() {
      while (deferred.length) await deferred.shift()!();
    },
  });
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** The password step with the right password, from a browser the user does not trust. */
export async function passwordStep(
  deps: SignInDeps,
  user: { username: string },
  who: { ip: string; userAgent: string },
) {
  const started = await submitPassword(deps, {
    username: user.username,
    password: PASSWORD,
    ...who,
  });
  if (!started.ok) throw new Error('password step failed');
  return started;
}

/**
 * A browser `user` trusts, and its sign-ins: each is the password step with the device token
 * (which rotates, TD-04) and the session; it fails unless the code step was skipped.
 */
export async function trustedBrowser(
  deps: SignInDeps,
  user: { id: string; username: string },
  who: { ip: string; userAgent: string },
) {
  let token = (
    await trustDevice({
      userId: user.id,
      name: 'Fixture laptop',
      lifetimeDays: 30,
      now: new Date(),
      ...who,
    })
  ).token;
  return async function signIn() {
    const started = await submitPassword(deps, {
      username: user.username,
      password: PASSWORD,
      deviceToken: token,
      ...who,
    });
    if (!started.ok || !started.device) throw new Error('the trusted browser should skip the code');
    token = started.device.token;
    return completeSignIn(deps, { ticketId: started.ticketId, ...who });
  };
}
