// POST /oauth/revoke (RFC 7009). The client authenticates (public clients send their client_id);
// a token it does not own, an unknown or an already revoked token all get 200 and change nothing
// (§2.2: invalid tokens do not cause an error, and the answer must not reveal other clients' tokens).
import 'server-only';
import { NO_STORE, OAuthError } from '@/lib/oauth/errors';
import { findToken } from '@/lib/tokens/find-token';
import { revokeToken } from '@/lib/tokens/revoke-token';
import { oauthEndpoint } from '@/lib/endpoints/oauth-endpoint';

export const handleRevoke = oauthEndpoint({}, async ({ params, client, ip }) => {
  const presented = params.get('token');
  if (!presented) throw new OAuthError('invalid_request', 'token is required.');
  const token = await findToken(presented);
  if (token && token.agentId === client.id && token.revokedAt === null) {
    await revokeToken({ token, reason: 'revoked by the client (RFC 7009)', ip });
  }
  return new Response(null, { status: 200, headers: NO_STORE });
});
