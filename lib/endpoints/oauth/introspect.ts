// POST /oauth/introspect (RFC 7662). The caller must authenticate as a confidential client (§2.1:
// the endpoint MUST require authorization, against token scanning); a client learns only about its
// own tokens, anything else is `{"active": false}` (§2.2), exactly like an unknown token.
import 'server-only';
import { authenticateClient } from '@/lib/oauth/clients/authenticate-client';
import { getConfig } from '@/lib/config/config';
import { OAuthError, oauthErrorResponse, oauthJson } from '@/lib/oauth/errors';
import { readOAuthForm } from '@/lib/oauth/read-form';
import { formatScope } from '@/lib/scopes/scopes';
import { findToken, isTokenActive } from '@/lib/tokens/find-token';

export async function handleIntrospect(request: Request): Promise<Response> {
  try {
    const params = await readOAuthForm(request);
    const client = await authenticateClient(request, params);
    if (!client.confidential) {
      throw new OAuthError('invalid_client', 'Introspection requires a confidential client.', { status: 401 });
    }
    const presented = params.get('token');
    if (!presented) throw new OAuthError('invalid_request', 'token is required.');
    const token = await findToken(presented);
    if (!token || token.agentId !== client.id || !isTokenActive(token)) return oauthJson({ active: false });
    const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
    return oauthJson({
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
    });
  } catch (error) {
    return oauthErrorResponse(error);
  }
}
