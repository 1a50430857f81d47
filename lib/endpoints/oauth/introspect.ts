// POST /oauth/introspect (RFC 7662). The caller must authenticate as a confidential client (§2.1:
// the endpoint MUST require authorization, against token scanning); a client learns only about its
// own tokens, anything else is `{"active": false}` (§2.2), exactly like an unknown token.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { OAuthError } from '@/lib/oauth/errors';
import { oauthEndpoint } from '@/lib/endpoints/oauth-endpoint';
import { formatScope } from '@/lib/scopes/scopes';
import { findToken, isTokenActive } from '@/lib/tokens/find-token';

export const handleIntrospect = oauthEndpoint({ confidential: 'Introspection requires a confidential client.' }, async ({ params, client }) => {
  const presented = params.get('token');
  if (!presented) throw new OAuthError('invalid_request', 'token is required.');
  const token = await findToken(presented);
  if (!token || token.agentId !== client.id || !isTokenActive(token)) return { active: false };
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  return {
    active: true,
    iss: getConfig().issuer,
    jti: token.id,
    token_type: token.kind === 'ACCESS' ? (token.dpopJkt ? 'DPoP' : 'Bearer') : 'refresh_token',
    client_id: token.agent.clientId,
    // No user behind a client_credentials token: the agent is the subject.
    sub: token.userId ?? token.agent.clientId,
    client_type: 'ai-agent',
    scope: formatScope(token.scopes),
    aud: token.audience.length === 1 ? token.audience[0] : token.audience,
    iat: seconds(token.createdAt),
    exp: seconds(token.expiresAt),
    ...(token.actor ? { act: token.actor } : {}),
    ...(token.acr ? { acr: token.acr } : {}),
    ...(token.amr.length ? { amr: token.amr } : {}),
    ...(token.authTime ? { auth_time: seconds(token.authTime) } : {}),
    ...(token.authorizationDetails ? { authorization_details: token.authorizationDetails } : {}),
    ...(token.dpopJkt ? { cnf: { jkt: token.dpopJkt } } : {}),
    ...(token.jit ? { jit: true } : {}),
  };
});
