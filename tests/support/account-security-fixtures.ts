import { getContactChangeDeps, type AccountSecurityDeps } from '@/lib/web/wiring';
import type { ContactChangeDeps } from '@/lib/account/contact-change';
import type { ExpiringStore } from '@/lib/store/expiring-store';
import { capturingSender, manualClock, testDeps } from './sign-in-fixtures';

// Collaborators of the fresh code, password change and password reset for tests: the real store
// and database, a capturing sender, a hand-moved clock, and deferred work held until `flush()`,
// so a test can see what happened before the response and what after.

export const ORIGIN = 'https://login.example.test';
export const who = {
  ip: '203.0.113.50',
  userAgent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
};

export function securitySetup(
  options: { store?: ExpiringStore; windowMinutes?: number; resetMinutes?: number } = {},
) {
  const sender = capturingSender();
  const clock = manualClock();
  const signIn = testDeps({ sender, now: clock.now });
  const pending: (() => Promise<void>)[] = [];
  /** The session the requests come from: freshness belongs to it (SE-07). */
  const session = { id: 'session-a' as string | null };
  const deps: AccountSecurityDeps = {
    ...signIn,
    store: options.store ?? signIn.store,
    senderFor: () => sender,
    now: clock.now,
    defer: (task) => void pending.push(task),
    currentSessionId: async () => session.id,
    config: {
      ...signIn.config,
      otpTtlSeconds: 45,
      resendCooldownSeconds: 0,
      origin: ORIGIN,
      freshCodeWindowMs: (options.windowMinutes ?? 10) * 60_000,
      resetTtlMs: (options.resetMinutes ?? 30) * 60_000,
    },
  };
  /** Runs the work deferred until after the response (the reset email, a wrong-code notice). */
  const flush = async () => {
    for (let task = pending.shift(); task; task = pending.shift()) await task();
  };
  return { sender, clock, signIn, deps, flush, pending, session };
}

/** The profile's contact change: the fresh-code collaborators plus the real user repository. */
export function contactChangeSetup() {
  const security = securitySetup();
  const real = getContactChangeDeps();
  const deps: ContactChangeDeps = {
    ...security.deps,
    users: real.users,
    revokeTrustedDevices: real.revokeTrustedDevices,
    config: { ...security.deps.config, phoneRegion: 'US' },
  };
  return { ...security, deps };
}

/** A store that writes down every operation's name and arguments, for "the same work either way". */
export function recordingStore(inner: ExpiringStore) {
  const log: { op: string; args: unknown[] }[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        log.push({ op: String(prop), args });
        return value.apply(target, args);
      };
    },
  });
  return { store, log };
}

export const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');
