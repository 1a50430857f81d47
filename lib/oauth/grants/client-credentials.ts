// grant_type=client_credentials (RFC 6749 §4.4): a confidential agent acting as itself, with no
// user behind it. No refresh token (§4.4.3). Scope: what was asked for, within what the agent
// registered; nothing asked → everything registered except offline_access.
import 'server-only';
import { OAuthError } from '@/lib/oauth/errors';
import { checkResources } from '@/lib/oauth/check-resources';
import { formatScope, isKnownScope, parseScope } from '@/lib/oauth/scopes';
import { issueAccessToken } from '@/lib/tokens/issue-access-token';
import type { Grant } from '@/lib/oauth/grants/types';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle({ client, params, ip, dpop }) {
    if (!client.confidential) {
      throw new OAuthError('unauthorized_client', 'client_credentials is only for confidential clients.');
    }
    const requested = parseScope(params.get('scope'));
    const unknown = requested.filter((s) => !isKnownScope(s) || s === 'offline_access');
    if (unknown.length) throw new OAuthError('invalid_scope', `Unknown or unavailable scope: ${unknown.join(' ')}`);
    const beyond = requested.filter((s) => !client.scopes.includes(s));
    if (beyond.length) throw new OAuthError('invalid_scope', `This client did not register for: ${beyond.join(' ')}`);
    const scopes = requested.length ? requested : client.scopes.filter((s) => s !== 'offline_access');
    if (scopes.length === 0) throw new OAuthError('invalid_scope', 'No scope to grant.');
    const audience = checkResources(params.resources);
    const issued = await issueAccessToken({ agentId: client.id, scopes, audience, dpopJkt: dpop?.jkt }, { grantType: 'client_credentials', ip });
    return { access_token: issued.token, token_type: dpop ? 'DPoP' : 'Bearer', expires_in: issued.expiresIn, scope: formatScope(scopes) };
  },
};
