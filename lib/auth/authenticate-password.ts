// Checks an email and password for the sign-in form. Every failure the user can cause gets the same
// answer (`invalid`), whether the account exists or not; the rate limit answer says when to retry.
import 'server-only';
import { db } from '@/lib/db/client';
import { emailSchema } from '@/lib/auth/account-schemas';
import { verifyPassword } from '@/lib/auth/password';
import { checkSignInAllowed, clearAccountFailures, recordSignInFailure } from '@/lib/auth/sign-in-limits';

export type AuthenticatedUser = { id: string; email: string; name: string | null; role: 'USER' | 'ADMIN' };

export type PasswordAuthResult =
  { ok: true; user: AuthenticatedUser } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number } | { ok: false; reason: 'suspended' };

export async function authenticatePassword(options: { email: unknown; password: unknown; ip: string }): Promise<PasswordAuthResult> {
  const parsedEmail = emailSchema.safeParse(options.email);
  const email = parsedEmail.success
    ? parsedEmail.data
    : String(options.email ?? '')
        .slice(0, 254)
        .toLowerCase();
  const password = typeof options.password === 'string' ? options.password.slice(0, 1024) : '';

  const limit = await checkSignInAllowed(email, options.ip);
  if (limit.blocked) return { ok: false, reason: 'rate_limited', retryAfterSeconds: limit.retryAfterSeconds };

  const user = parsedEmail.success
    ? await db().user.findUnique({
        where: { email },
        select: { id: true, email: true, name: true, role: true, status: true, passwordHash: true },
      })
    : null;
  const valid = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !valid) {
    await recordSignInFailure(email, options.ip);
    return { ok: false, reason: 'invalid' };
  }
  // Only someone who knows the password learns that the account is suspended.
  if (user.status !== 'ACTIVE') return { ok: false, reason: 'suspended' };

  await Promise.all([clearAccountFailures(email), db().user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } })]);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}
