// POST /api/account/sessions/revoke-others: signs the user out of every other browser.
import 'server-only';
import { getCurrentUser } from '@/lib/auth/session';
import { revokeOtherSessions } from '@/lib/auth/revoke-other-sessions';
import { ApiError, apiErrorResponse } from '@/lib/http/api-error';

export async function handleRevokeOtherSessions(): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to manage your sessions.');
    const revoked = await revokeOtherSessions({ userId: user.id, keepSessionId: user.sessionId });
    return Response.json({ revoked }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return apiErrorResponse(error);
  }
}
