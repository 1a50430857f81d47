// Password routes:
// - POST /api/account/password               {current_password, new_password}: change it (signed in)
// - POST /api/admin/password-resets          {email}: an administrator makes a one-time reset link
// - POST /api/account/password-reset/check   {token}: whether a reset link still works, and for whom
// - POST /api/account/password-reset         {token, new_password}: set a new password with the link
// Cross-site posts are refused earlier (proxy.ts).
import 'server-only';
import { z } from 'zod';
import { changePasswordSchema, emailSchema, fieldErrorsOf, passwordResetTokenSchema, resetPasswordSchema } from '@/lib/auth/account-schemas';
import { changePassword } from '@/lib/auth/change-password';
import { issuePasswordReset } from '@/lib/auth/issue-password-reset';
import { findPasswordReset } from '@/lib/auth/find-password-reset';
import { resetPassword } from '@/lib/auth/reset-password';
import { ApiError, readJsonBody } from '@/lib/http/api-error';
import { noStoreJson, publicRoute, sessionRoute } from '@/lib/endpoints/session-route';

const LINK_UNUSABLE = 'This reset link has expired or was already used. Ask your administrator for a new one.';

export const handleChangePassword = sessionRoute(
  { signIn: 'Sign in to change your password.', body: changePasswordSchema, invalid: (error) => new ApiError(400, 'invalid_request', 'Check the highlighted fields.', fieldErrorsOf(error)) },
  async ({ user, body, ip }) => {
    const result = await changePassword({ user, currentPassword: body.current_password, newPassword: body.new_password, ip });
    if (result.ok) return { ended_sessions: result.endedSessions };
    if (result.reason === 'rate_limited') {
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      throw new ApiError(429, 'rate_limited', `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, undefined, {
        'Retry-After': String(result.retryAfterSeconds),
      });
    }
    if (result.reason === 'same_password') {
      throw new ApiError(400, 'invalid_request', 'Choose a new password that is different from your current one.', { new_password: ['Same as your current password.'] });
    }
    throw new ApiError(400, 'invalid_request', 'Your current password is not right. Nothing was changed.', { current_password: ['Not right.'] });
  },
);

export const handleIssuePasswordReset = sessionRoute(
  {
    signIn: 'Sign in as an administrator.',
    admin: 'Only an administrator can reset another person’s password.',
    body: z.object({ email: emailSchema }),
    invalid: (error) => new ApiError(400, 'invalid_request', 'Enter the email address of the account.', fieldErrorsOf(error)),
  },
  async ({ user, body, ip }) => {
    const issued = await issuePasswordReset({ email: body.email, admin: { id: user.id }, ip });
    if (!issued) throw new ApiError(404, 'not_found', 'There is no account with this email address.', { email: ['No such account.'] });
    return noStoreJson({ url: issued.url, email: issued.email, expires_at: issued.expiresAt.toISOString() }, { status: 201 });
  },
);

export const handleCheckPasswordReset = publicRoute({}, async ({ request }) => {
  const parsed = z.object({ token: passwordResetTokenSchema }).safeParse(await readJsonBody(request));
  const found = parsed.success ? await findPasswordReset({ token: parsed.data.token }) : null;
  if (!found) throw new ApiError(404, 'not_found', LINK_UNUSABLE);
  return { email: found.email, expires_at: found.expiresAt.toISOString() };
});

export const handleResetPassword = publicRoute(
  {
    body: resetPasswordSchema,
    invalid: (error) => {
      const fields = fieldErrorsOf(error);
      return fields.token ? new ApiError(404, 'not_found', LINK_UNUSABLE) : new ApiError(400, 'invalid_request', 'Check the highlighted fields.', fields);
    },
  },
  async ({ body, ip }) => {
    const result = await resetPassword({ token: body.token, newPassword: body.new_password, ip });
    if (!result.ok) throw new ApiError(404, 'not_found', LINK_UNUSABLE);
    return { email: result.email };
  },
);
