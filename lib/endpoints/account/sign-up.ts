// POST /api/account/sign-up: creates an account from the sign-up form. The browser then signs in
// through next-auth with the same credentials. Cross-site posts are refused earlier (proxy.ts).
import 'server-only';
import { createAccount } from '@/lib/auth/create-account';
import { seedWorkspace } from '@/lib/workspace/seed-workspace';
import { ApiError, readJsonBody } from '@/lib/http/api-error';
import { noStoreJson, publicRoute } from '@/lib/endpoints/session-route';
import { consumeSignUpAttempt } from '@/lib/auth/sign-up-limits';

export const handleSignUp = publicRoute({}, async ({ request, ip }) => {
  const retryAfter = await consumeSignUpAttempt(ip);
  if (retryAfter !== null) {
    throw new ApiError(429, 'rate_limited', 'Too many sign-ups from your network. Try again later.', undefined, { 'Retry-After': String(retryAfter) });
  }
  const input = await readJsonBody(request);
  const result = await createAccount(
    {
      name: typeof input.name === 'string' ? input.name : undefined,
      email: input.email as string,
      password: input.password as string,
    },
    seedWorkspace,
  );
  if (result.ok) return noStoreJson({ id: result.user.id, email: result.user.email }, { status: 201 });
  if (result.reason === 'email_taken') {
    throw new ApiError(409, 'conflict', 'An account with this email already exists. Sign in instead.', {
      email: ['An account with this email already exists.'],
    });
  }
  throw new ApiError(400, 'invalid_request', 'Check the highlighted fields.', result.fieldErrors);
});
