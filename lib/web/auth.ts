import 'server-only';
import NextAuth, { type User } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { env } from '@/lib/env';
import { completeSignIn } from '@/lib/auth/sign-in';
import { getSignInDeps } from '@/lib/web/wiring';
import { cookieOptions, secureCookies, sessionCookieName } from '@/lib/auth/cookies';
import { requestInfoFrom } from '@/lib/web/request-info';
import { recordEvent } from '@/lib/audit/record-event';
import { endSession } from '@/lib/auth/session-record';
import { checkSessionToken } from '@/lib/auth/sessions/session-token';
import { decodeSessionJwt, encodeSessionJwt } from '@/lib/auth/sessions/session-jwt';

// Auth.js owns the session cookie; Latchkey owns everything before it. The Credentials provider
// accepts nothing but a verified login ticket, so it is the only place a session starts, and
// only after the code (or for a password-only account, after the password) (SE-03).

/** What authorize() hands to the jwt callback: the session row was already written with the sign-in. */
type SessionSeed = User & { sid: string };

declare module 'next-auth' {
  interface Session {
    /** The Session row's id (never the secret session id): marks "This session" on /account/sessions. */
    sessionId?: string;
  }
}

const maxAgeSeconds = env.SESSION_MAX_AGE_HOURS * 3600;

export const { handlers, auth, signIn, signOut } = NextAuth({
  secret: env.AUTH_SECRET,
  trustHost: true,
  useSecureCookies: secureCookies,
  cookies: { sessionToken: { name: sessionCookieName, options: cookieOptions } },
  session: { strategy: 'jwt', maxAge: maxAgeSeconds },
  // Auth.js's own format, with the key derived once instead of per cookie (session-jwt.ts).
  jwt: { encode: encodeSessionJwt, decode: decodeSessionJwt },
  pages: { signIn: '/login', error: '/login' },
  providers: [
    Credentials({
      id: 'ticket',
      name: 'Login ticket',
      credentials: { ticket: {} },
      async authorize(credentials, request) {
        const ticketId = typeof credentials?.ticket === 'string' ? credentials.ticket : '';
        const info = requestInfoFrom(request.headers);
        const done = await completeSignIn(getSignInDeps(), { ticketId, ...info });
        if (!done) return null;
        return { id: done.userId, sid: done.sessionId } satisfies SessionSeed;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user?.id) {
        // A fresh, random session id after the code step (SE-02), made by completeSignIn together
        // with the session row (only its hash is stored) in the sign-in's one final statement.
        return { sub: user.id, sid: (user as SessionSeed).sid };
      }
      // Every request asks the database: a deleted, expired or idle record ends the session (SE-05, SE-06).
      return checkSessionToken(token);
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      if (typeof token.sessionId === 'string') session.sessionId = token.sessionId;
      return session;
    },
  },
  events: {
    async signOut(message) {
      if (!('token' in message) || typeof message.token?.sid !== 'string') return;
      await endSession(message.token.sid);
      await recordEvent({
        type: 'signout',
        userId: typeof message.token.sub === 'string' ? message.token.sub : null,
      });
    },
  },
});
