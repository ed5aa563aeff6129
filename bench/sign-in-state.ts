import { createTicket } from '@/lib/auth/login-ticket';
import type { LoginTicket } from '@/lib/auth/sign-in-types';
import type { ChallengeDeps } from '@/lib/challenges/challenge-deps';
import { checkChallengeCode } from '@/lib/challenges/check-code';
import { composeCodeMessage } from '@/lib/challenges/code-message';
import { deriveCodeKey } from '@/lib/challenges/code';
import { sendChallengeCode } from '@/lib/challenges/send-code';
import type { OutgoingMessage } from '@/lib/delivery/sender';
import { createUpstashStore } from '@/lib/store/upstash-store';
import { ratePolicies } from '@/lib/rate-limit/policies';
import { createUpstashRateLimiter } from '@/lib/rate-limit/upstash-rate-limiter';
import type { BenchServer } from './bench-server';

// Sign-ins half done, made with the product's own functions against the server's Redis and
// AUTH_SECRET, the state the password and method steps would leave (so a benchmark of the code
// step need not pay for argon2id and a provider call per sample).

export type PendingCode = { ticketId: string; code: string };

export function benchStore(server: BenchServer) {
  return createUpstashStore({
    url: server.upstash.url,
    token: server.upstash.token,
    keyPrefix: server.upstash.prefix,
    timeoutMs: 30_000,
  });
}

/** The challenge module's collaborators against the server's store, with a sender that keeps the last code. */
function benchChallengeDeps(server: BenchServer, ttlSeconds: number) {
  const last = { code: '' };
  const deps: ChallengeDeps = {
    store: benchStore(server),
    limits: createUpstashRateLimiter({
      url: server.upstash.url,
      token: server.upstash.token,
      keyPrefix: server.upstash.prefix,
      // As the store's: preparing state on a busy machine must not time out.
      timeoutMs: 30_000,
      // Generous, so that preparing thousands of pending codes is not refused by the send limits.
      policies: ratePolicies({ smsDailyBudget: 1000 }),
    }),
    senderFor: () => ({
      send: async (message: OutgoingMessage) => void (last.code = message.code ?? ''),
    }),
    // Only a failed send is worth reading here: it says why preparing the state failed.
    audit: async (event) => {
      if (event.type === 'code.send_failed')
        console.error('bench: a code was not sent', event.detail);
    },
    emailOf: async () => 'bench@example.com',
    hmacKey: deriveCodeKey(server.authSecret),
    now: Date.now,
    defer: () => {},
    config: {
      otpTtlSeconds: ttlSeconds,
      resendCooldownSeconds: 0,
      origin: server.origin,
      smsKillSwitch: false,
      smsAllowedCallingCodes: ['1'],
    },
  };
  return { deps, last };
}

/** A ticket with a code sent by email, as sendCode leaves it; the code as "delivered". */
async function ticketWithCode(server: BenchServer, userId: string, ttlSeconds: number) {
  const { deps, last } = benchChallengeDeps(server, ttlSeconds);
  const { id, challenge } = await createTicket(deps.store, { userId, ttlSeconds, now: Date.now() });
  const sent = await sendChallengeCode(deps, {
    id,
    challenge,
    channel: 'email',
    destination: `bench-${userId}@example.com`,
    // Composed as the product composes it, but marked as a text message so no HTML part is
    // rendered: react-dom/server cannot load under the react-server condition this script runs
    // with, and the bench's sender only keeps the code.
    compose: (input) => ({ ...composeCodeMessage(input), channel: 'sms' }),
    ip: null,
    userAgent: null,
  });
  if (!sent.ok) throw new Error(`sendChallengeCode: ${sent.reason}`);
  return { deps, ticketId: id, code: last.code };
}

/** `count` tickets whose code was sent (stage code-sent), each with the code that was "delivered". */
export async function pendingCodes(
  server: BenchServer,
  userIds: string[],
  count: number,
  ttlSeconds = 600,
): Promise<PendingCode[]> {
  const made: PendingCode[] = [];
  for (let start = 0; start < count; start += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, async (_, i) => {
        const userId = userIds[(start + i) % userIds.length]!;
        const { ticketId, code } = await ticketWithCode(server, userId, ttlSeconds);
        made.push({ ticketId, code });
      }),
    );
  }
  return made;
}

/** A ticket at the method step (password done), for rendering /login/method. */
export async function passwordDone(server: BenchServer, userId: string): Promise<string> {
  const { id } = await createTicket(benchStore(server), {
    userId,
    ttlSeconds: 600,
    now: Date.now(),
  });
  return id;
}

/** A ticket whose code was entered with "Don't require OTP on this browser" ticked: /login/device. */
export async function awaitingDeviceName(server: BenchServer, userId: string): Promise<string> {
  const { deps, ticketId, code } = await ticketWithCode(server, userId, 600);
  const checked = await checkChallengeCode<LoginTicket>(deps, {
    id: ticketId,
    purpose: 'sign-in',
    code,
    verifiedTtlMs: 10 * 60_000,
    trustRequested: true,
    ip: null,
    userAgent: null,
  });
  if (!checked.ok) throw new Error(`checkChallengeCode: ${checked.reason}`);
  return ticketId;
}
