import { createTicket, markVerified, saveTicket } from '@/lib/auth/login-ticket';
import { deriveCodeKey } from '@/lib/otp/code';
import { issueCode } from '@/lib/otp/issue-code';
import type { OutgoingMessage, Sender } from '@/lib/otp/delivery/sender';
import { createUpstashStore } from '@/lib/store/upstash-store';
import { countersToRestart } from '@/lib/rate-limit/code-send-limits';
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

/** `count` tickets whose code was sent (stage code-sent), each with the code that was "delivered". */
export async function pendingCodes(
  server: BenchServer,
  userIds: string[],
  count: number,
  ttlSeconds = 600,
): Promise<PendingCode[]> {
  const store = benchStore(server);
  const hmacKey = deriveCodeKey(server.authSecret);
  // As sendCode leaves it: the ticket names the send counters a correct code restarts.
  const limits = createUpstashRateLimiter({
    url: server.upstash.url,
    token: server.upstash.token,
    keyPrefix: server.upstash.prefix,
    policies: ratePolicies({ smsDailyBudget: 1000 }),
  });
  const made: PendingCode[] = [];
  for (let start = 0; start < count; start += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, async (_, i) => {
        const now = Date.now();
        const userId = userIds[(start + i) % userIds.length]!;
        const { id, ticket } = await createTicket(store, {
          userId,
          stage: 'password',
          ttlSeconds,
          now,
        });
        let code = '';
        const sender: Sender = {
          send: async (message: OutgoingMessage) => void (code = /\d{6}/.exec(message.text)![0]),
        };
        const sent = await issueCode({
          store,
          sender,
          hmacKey,
          ticketId: id,
          channel: 'email',
          destination: 'bench@example.com',
          ttlSeconds,
          cooldownSeconds: 0,
          origin: server.origin,
          now,
        });
        if (!sent.ok) throw new Error(`issueCode: ${sent.reason}`);
        const restartOnMatch = countersToRestart(limits, {
          userId,
          channel: 'email',
          destination: 'bench@example.com',
        });
        await saveTicket(
          store,
          id,
          {
            ...ticket,
            stage: 'code-sent',
            channel: 'email',
            codeExpiresAt: sent.expiresAt,
            codeSentAt: sent.sentAt,
            restartOnMatch,
          },
          now,
        );
        made.push({ ticketId: id, code });
      }),
    );
  }
  return made;
}

/** A ticket at the method step (password done), for rendering /login/method. */
export async function passwordDone(server: BenchServer, userId: string): Promise<string> {
  const { id } = await createTicket(benchStore(server), {
    userId,
    stage: 'password',
    ttlSeconds: 600,
    now: Date.now(),
  });
  return id;
}

/** A ticket whose code was entered with "Don't require OTP on this browser" ticked: /login/device. */
export async function awaitingDeviceName(server: BenchServer, userId: string): Promise<string> {
  const store = benchStore(server);
  const now = Date.now();
  const { id, ticket } = await createTicket(store, {
    userId,
    stage: 'password',
    ttlSeconds: 600,
    now,
  });
  await markVerified(store, id, ticket, 'code', now, { trustRequested: true });
  return id;
}
