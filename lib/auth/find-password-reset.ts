// Whether a reset link still works (unused, unexpired, its account not deleted), and for whom: the
// reset page says whose password it sets before the person types one.
import 'server-only';
import { db } from '@/lib/db/client';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';

export async function findPasswordReset(options: { token: string }): Promise<{ email: string; expiresAt: Date } | null> {
  if (!isWellFormedToken(options.token, TOKEN_PREFIX.passwordReset)) return null;
  const reset = await db().passwordReset.findFirst({
    where: { tokenHash: hashToken(options.token), usedAt: null, expiresAt: { gt: new Date() }, user: { status: { not: 'DELETED' } } },
    select: { expiresAt: true, user: { select: { email: true } } },
  });
  return reset ? { email: reset.user.email, expiresAt: reset.expiresAt } : null;
}
