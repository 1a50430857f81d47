// POST /api/account/delete {password, confirm: "delete my account"}: the signed-in person deletes
// their own account (lib/account/delete-account.ts says what ends, what is deleted and what is
// kept). The password is checked as a sign-in is (same limits). The last administrator cannot
// leave the deployment without one. The browser signs out afterwards; the session is gone anyway.
import 'server-only';
import { db } from '@/lib/db/client';
import { authenticatePassword } from '@/lib/auth/authenticate-password';
import { deleteAccountSchema, fieldErrorsOf } from '@/lib/auth/account-schemas';
import { deleteAccount } from '@/lib/account/delete-account';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { ApiError } from '@/lib/http/api-error';
import { sessionRoute } from '@/lib/endpoints/session-route';

export const handleDeleteAccount = sessionRoute(
  { signIn: 'Sign in to delete your account.', body: deleteAccountSchema, invalid: (error) => new ApiError(400, 'invalid_request', 'Check the highlighted fields.', fieldErrorsOf(error)) },
  async ({ user, body, ip }) => {
    const checked = await authenticatePassword({ email: user.email, password: body.password, ip });
    if (!checked.ok) {
      if (checked.reason === 'rate_limited') {
        throw new ApiError(429, 'rate_limited', 'Too many wrong passwords. Try again later.', undefined, { 'Retry-After': String(checked.retryAfterSeconds) });
      }
      await appendAuditEventGrouped({ action: 'account.delete', decision: 'DENY', reason: 'the password was not right', userId: user.id, ip });
      throw new ApiError(400, 'invalid_request', 'That password is not right. Nothing was deleted.', { password: ['Not right.'] });
    }
    if (user.role === 'ADMIN' && (await db().user.count({ where: { role: 'ADMIN', status: 'ACTIVE', id: { not: user.id } } })) === 0) {
      throw new ApiError(409, 'conflict', 'You are the only administrator. Make someone else an administrator before deleting your account.');
    }
    const { deleted } = await deleteAccount({ userId: user.id, ip });
    return { deleted };
  },
);
