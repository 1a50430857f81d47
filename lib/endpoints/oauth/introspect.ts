// POST /oauth/introspect (RFC 7662). The caller must authenticate (§2.1: the endpoint MUST require
// authorization, against token scanning), and learns only what is its own to know (§2.2: anything
// else is `{"active": false}`, exactly like an unknown token):
// - an agent (a confidential client), about the tokens issued to it;
// - a registered resource server (its own `rs_…` credentials, issue 14 §2), about the tokens whose
//   audience includes it (RFC 8707: a token for another API is not its business), with what its
//   enforcement needs on top: the grant and the version of the person's policy for the agent.
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { OAuthError } from '@/lib/oauth/errors';
import { oauthEndpoint } from '@/lib/endpoints/oauth-endpoint';
import { formatScope } from '@/lib/scopes/scopes';
import { findToken, isTokenActive, type FoundToken } from '@/lib/tokens/find-token';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import type { OAuthParams } from '@/lib/oauth/read-form';

const INACTIVE = { active: false } as const;

async function presentedToken(params: OAuthParams): Promise<FoundToken | null> {
  const presented = params.get('token');
  if (!presented) throw new OAuthError('invalid_request', 'token is required.');
  const token = await findToken(presented);
  return token && isTokenActive(token) ? token : null;
}

function describe(token: FoundToken) {
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
    ...(token.grantId ? { grant_id: token.grantId } : {}),
    ...(token.actor ? { act: token.actor } : {}),
    ...(token.acr ? { acr: token.acr } : {}),
    ...(token.amr.length ? { amr: token.amr } : {}),
    ...(token.authTime ? { auth_time: seconds(token.authTime) } : {}),
    ...(token.authorizationDetails ? { authorization_details: token.authorizationDetails } : {}),
    ...(token.dpopJkt ? { cnf: { jkt: token.dpopJkt } } : {}),
    ...(token.jit ? { jit: true } : {}),
  };
}

export const handleIntrospect = oauthEndpoint(
  {
    confidential: 'Introspection requires a confidential client.',
    resourceServers: async ({ params, resource }) => {
      const token = await presentedToken(params);
      // A resource server learns nothing of refresh tokens (they are never sent to it) nor of
      // tokens for other audiences.
      if (!token || token.kind !== 'ACCESS' || !token.audience.includes(resource.identifier)) return INACTIVE;
      const policy = await loadAgentPolicy({ userId: token.userId, agentId: token.agentId });
      return { ...describe(token), policy_version: policy.version };
    },
  },
  async ({ params, client }) => {
    const token = await presentedToken(params);
    if (!token || token.agentId !== client.id) return INACTIVE;
    return describe(token);
  },
);
