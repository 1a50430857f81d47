// The credentials provider's `authorize`: checks the password, then opens a server-side session.
// next-auth turns a thrown message into the `error` code the sign-in page receives
// (lib/auth/sign-in-errors.ts); returning null is the generic "wrong email or password".
import 'server-only';
import type { User } from 'next-auth';
import { ACR } from '@/lib/auth/assurance';
import { authenticatePassword } from '@/lib/auth/authenticate-password';
import { createSession } from '@/lib/auth/create-session';
import { SIGN_IN_ERROR } from '@/lib/auth/sign-in-errors';
import { clientIp } from '@/lib/http/client-ip';
import { log } from '@/lib/log/logger';

export async function signInWithPassword(options: { credentials: Record<string, unknown> | undefined; headers: Record<string, string> }): Promise<User | null> {
  const { credentials, headers } = options;
  const ip = clientIp(headers);
  let outcome: User | 'invalid' | 'suspended' | { retryAfterSeconds: number };
  try {
    const result = await authenticatePassword({ email: credentials?.email, password: credentials?.password, ip });
    if (result.ok) {
      const session = await createSession({
        userId: result.user.id,
        acr: ACR.password,
        amr: ['pwd'],
        ip,
        userAgent: headers['user-agent'] ?? null,
      });
      outcome = { ...result.user, sessionId: session.id, authTime: session.authTime };
    } else {
      outcome = result.reason === 'rate_limited' ? { retryAfterSeconds: result.retryAfterSeconds } : result.reason;
    }
  } catch (error) {
    // Fail closed, and keep internals (database errors) out of the redirect URL.
    log('auth').error({ err: error }, 'sign-in failed');
    throw new Error(SIGN_IN_ERROR.unavailable);
  }
  if (outcome === 'invalid') return null;
  if (outcome === 'suspended') throw new Error(SIGN_IN_ERROR.suspended);
  if ('retryAfterSeconds' in outcome) throw new Error(`${SIGN_IN_ERROR.rateLimited}:${outcome.retryAfterSeconds}`);
  return outcome;
}
