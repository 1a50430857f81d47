// next-auth (v4) configuration for the humans who use the dashboard (DECISIONS 7).
// Credentials require the JWT session strategy; the encrypted JWT cookie carries acr/amr/auth_time.
import 'server-only';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getConfig } from '@/lib/config/config';
import { authenticatePassword } from '@/lib/auth/authenticate-password';
import { ACR } from '@/lib/auth/assurance';
import { clientIp } from '@/lib/http/client-ip';
import { SIGN_IN_ERROR } from '@/lib/auth/sign-in-errors';

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
        async authorize(credentials, request) {
          let result;
          try {
            result = await authenticatePassword({
              email: credentials?.email,
              password: credentials?.password,
              ip: clientIp((request?.headers ?? {}) as Record<string, string>),
            });
          } catch (error) {
            // Fail closed, and keep internals (database errors) out of the redirect URL.
            console.error('[auth] sign-in failed:', error);
            throw new Error(SIGN_IN_ERROR.unavailable);
          }
          if (result.ok) return result.user;
          // next-auth turns a thrown message into the `error` the sign-in page receives.
          if (result.reason === 'rate_limited') throw new Error(`${SIGN_IN_ERROR.rateLimited}:${result.retryAfterSeconds}`);
          if (result.reason === 'suspended') throw new Error(SIGN_IN_ERROR.suspended);
          return null;
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.role = user.role;
          token.acr = ACR.password;
          token.amr = ['pwd'];
          token.auth_time = Math.floor(Date.now() / 1000);
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
        session.acr = token.acr ?? ACR.password;
        session.amr = token.amr ?? [];
        session.authTime = token.auth_time ?? 0;
        return session;
      },
    },
  };
  return options;
}
