// POST /api/account/sessions/revoke-others: signs the user out of every other browser.
import 'server-only';
import { revokeOtherSessions } from '@/lib/auth/revoke-other-sessions';
import { sessionRoute } from '@/lib/endpoints/session-route';

export const handleRevokeOtherSessions = sessionRoute({ signIn: 'Sign in to manage your sessions.' }, async ({ user }) => ({
  revoked: await revokeOtherSessions({ userId: user.id, keepSessionId: user.sessionId }),
}));
