// Password routes:
// - POST /api/account/password               {current_password, new_password}: change it (signed in)
// - POST /api/admin/password-resets          {email}: an administrator makes a one-time reset link
// - POST /api/account/password-reset/check   {token}: whether a reset link still works, and for whom
// - POST /api/account/password-reset         {token, new_password}: set a new password with the link
// Cross-site posts are refused earlier (proxy.ts).
import 'server-only';
import { z } from 'zod';
import { getCurrentUser } from '@/lib/auth/session';
import { changePasswordSchema, emailSchema, fieldErrorsOf, passwordResetTokenSchema, resetPasswordSchema } from '@/lib/auth/account-schemas';
import { changePassword } from '@/lib/auth/change-password';
import { issuePasswordReset } from '@/lib/auth/issue-password-reset';
import { findPasswordReset } from '@/lib/auth/find-password-reset';
import { resetPassword } from '@/lib/auth/reset-password';
import { ApiError, apiErrorResponse, readJsonBody } from '@/lib/http/api-error';
import { clientIp } from '@/lib/http/client-ip';

const noStore = { 'Cache-Control': 'no-store' };
const LINK_UNUSABLE = 'This reset link has expired or was already used. Ask your administrator for a new one.';

export async function handleChangePassword(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to change your password.');
    const parsed = changePasswordSchema.safeParse(await readJsonBody(request));
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'Check the highlighted fields.', fieldErrorsOf(parsed.error));
    const result = await changePassword({
      user,
      currentPassword: parsed.data.current_password,
      newPassword: parsed.data.new_password,
      ip: clientIp(request.headers),
    });
    if (result.ok) return Response.json({ ended_sessions: result.endedSessions }, { headers: noStore });
    if (result.reason === 'rate_limited') {
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      return apiErrorResponse(new ApiError(429, 'rate_limited', `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`), {
        'Retry-After': String(result.retryAfterSeconds),
      });
    }
    if (result.reason === 'same_password') {
      throw new ApiError(400, 'invalid_request', 'Choose a new password that is different from your current one.', { new_password: ['Same as your current password.'] });
    }
    throw new ApiError(400, 'invalid_request', 'Your current password is not right. Nothing was changed.', { current_password: ['Not right.'] });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export async function handleIssuePasswordReset(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in as an administrator.');
    if (user.role !== 'ADMIN') throw new ApiError(403, 'forbidden', 'Only an administrator can reset another person’s password.');
    const parsed = z.object({ email: emailSchema }).safeParse(await readJsonBody(request));
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'Enter the email address of the account.', fieldErrorsOf(parsed.error));
    const issued = await issuePasswordReset({ email: parsed.data.email, admin: { id: user.id }, ip: clientIp(request.headers) });
    if (!issued) throw new ApiError(404, 'not_found', 'There is no account with this email address.', { email: ['No such account.'] });
    return Response.json({ url: issued.url, email: issued.email, expires_at: issued.expiresAt.toISOString() }, { status: 201, headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export async function handleCheckPasswordReset(request: Request): Promise<Response> {
  try {
    const parsed = z.object({ token: passwordResetTokenSchema }).safeParse(await readJsonBody(request));
    const found = parsed.success ? await findPasswordReset({ token: parsed.data.token }) : null;
    if (!found) throw new ApiError(404, 'not_found', LINK_UNUSABLE);
    return Response.json({ email: found.email, expires_at: found.expiresAt.toISOString() }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}

export async function handleResetPassword(request: Request): Promise<Response> {
  try {
    const parsed = resetPasswordSchema.safeParse(await readJsonBody(request));
    if (!parsed.success) {
      const fields = fieldErrorsOf(parsed.error);
      if (fields.token) throw new ApiError(404, 'not_found', LINK_UNUSABLE);
      throw new ApiError(400, 'invalid_request', 'Check the highlighted fields.', fields);
    }
    const result = await resetPassword({ token: parsed.data.token, newPassword: parsed.data.new_password, ip: clientIp(request.headers) });
    if (!result.ok) throw new ApiError(404, 'not_found', LINK_UNUSABLE);
    return Response.json({ email: result.email }, { headers: noStore });
  } catch (error) {
    return apiErrorResponse(error);
  }
}
