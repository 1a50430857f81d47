// next-auth (v4) configuration for the humans who use the dashboard (DECISIONS 7).
// Credentials require the JWT session strategy; the encrypted JWT cookie carries acr/amr/auth_time.
import 'server-only';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getConfig } from '@/lib/config/config';
import { ACR } from '@/lib/auth/assurance';
import { signInWithPassword } from '@/lib/auth/sign-in-with-password';
import { findActiveSession } from '@/lib/auth/find-active-session';
import { revokeSession } from '@/lib/auth/revoke-session';
import { log } from '@/lib/log/logger';

const SESSION_ENDED = 'The session has ended';

let options: AuthOptions | undefined;

export function authOptions(): AuthOptions {
  if (options) return options;
  const config = getConfig();
  // next-auth v4 reads its public URL from the environment; it must be the issuer, exactly.
  process.env.NEXTAUTH_URL = config.issuer;
  options = {
    secret: config.sessionSecret,
    session: { strategy: 'jwt', maxAge: config.sessionMaxAge },
    useSecureCookies: config.secure,
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers: [
      CredentialsProvider({
        id: 'credentials',
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        authorize: (credentials, request) => signInWithPassword({ credentials, headers: (request?.headers ?? {}) as Record<string, string> }),
      }),
    ],
    logger: {
      error(code, metadata) {
        // An ended session is routine (sign-out elsewhere, revocation), not an error.
        if (code === 'JWT_SESSION_ERROR' && (metadata as { message?: string })?.message === SESSION_ENDED) return;
        log('auth').error({ metadata }, code);
      },
      warn(code) {
        log('auth').warn(code);
      },
      debug() {},
    },
    events: {
      async signOut({ token }) {
        if (token?.sid) await revokeSession({ id: token.sid });
      },
    },
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.sid = user.sessionId;
          token.role = user.role;
          token.acr = ACR.password;
          token.amr = ['pwd'];
          token.auth_time = Math.floor(user.authTime.getTime() / 1000);
          return token;
        }
        // Every later read: the server-side session must still be valid. Throwing makes next-auth
        // answer "no session" and clear the cookie.
        if (!token.sid || !token.sub || !(await findActiveSession({ id: token.sid, userId: token.sub }))) {
          throw new Error(SESSION_ENDED);
        }
        return token;
      },
      async session({ session, token }) {
        session.user = {
          id: token.sub ?? '',
          email: token.email ?? '',
          name: token.name ?? null,
          role: token.role ?? 'USER',
        };
        session.sessionId = token.sid ?? '';
        session.acr = token.acr ?? ACR.password;
        session.amr = token.amr ?? [];
        session.authTime = token.auth_time ?? 0;
        return session;
      },
    },
  };
  return options;
}
