// POST /api/account/delete {password, confirm: "delete my account"}: the signed-in person deletes
// their own account (lib/account/delete-account.ts says what ends, what is deleted and what is
// kept). The password is checked as a sign-in is (same limits). The last administrator cannot
// leave the deployment without one. The browser signs out afterwards; the session is gone anyway.
import 'server-only';
import { db } from '@/lib/db/client';
import { getCurrentUser } from '@/lib/auth/session';
import { authenticatePassword } from '@/lib/auth/authenticate-password';
import { deleteAccountSchema, fieldErrorsOf } from '@/lib/auth/account-schemas';
import { deleteAccount } from '@/lib/account/delete-account';
import { appendAuditEventGrouped } from '@/lib/audit/audit-group-commit';
import { ApiError, apiErrorResponse, readJsonBody } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';

export async function handleDeleteAccount(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to delete your account.');
    const parsed = deleteAccountSchema.safeParse(await readJsonBody(request));
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'Check the highlighted fields.', fieldErrorsOf(parsed.error));
    const ip = clientIp(request.headers);
    const checked = await authenticatePassword({ email: user.email, password: parsed.data.password, ip });
    if (!checked.ok) {
      if (checked.reason === 'rate_limited') {
        return apiErrorResponse(new ApiError(429, 'rate_limited', 'Too many wrong passwords. Try again later.'), { 'Retry-After': String(checked.retryAfterSeconds) });
      }
      await appendAuditEventGrouped({ action: 'account.delete', decision: 'DENY', reason: 'the password was not right', userId: user.id, ip });
      throw new ApiError(400, 'invalid_request', 'That password is not right. Nothing was deleted.', { password: ['Not right.'] });
    }
    if (user.role === 'ADMIN' && (await db().user.count({ where: { role: 'ADMIN', status: 'ACTIVE', id: { not: user.id } } })) === 0) {
      throw new ApiError(409, 'conflict', 'You are the only administrator. Make someone else an administrator before deleting your account.');
    }
    const { deleted } = await deleteAccount({ userId: user.id, ip });
    return Response.json({ deleted }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return apiErrorResponse(error);
  }
}
