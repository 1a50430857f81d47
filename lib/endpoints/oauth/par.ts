// POST /oauth/par (RFC 9126): the client pushes its authorization request over an authenticated
// back channel and gets a short-lived, single-use request_uri. Errors are token-endpoint style
// JSON (§2.3): nothing is redirected from here.
import 'server-only';
import { db } from '@/lib/db/client';
import { recordedApplicationType } from '@/lib/oauth/clients/client-metadata';
import { matchRedirectUri } from '@/lib/oauth/clients/match-redirect-uri';
import { createAuthorizationRequest, REQUEST_URI_TTL_SECONDS } from '@/lib/oauth/create-authorization-request';
import { OAuthError, oauthJson } from '@/lib/oauth/errors';
import { oauthEndpoint } from '@/lib/endpoints/oauth-endpoint';

export const handlePar = oauthEndpoint({ ipLimit: true, clientLimit: true }, async ({ params, client }) => {
  if (params.get('request_uri')) throw new OAuthError('invalid_request', 'request_uri cannot be pushed (RFC 9126 §2.1).');
  if (!client.grantTypes.includes('authorization_code')) {
    throw new OAuthError('unauthorized_client', 'This client is not registered for the authorization code flow.');
  }
  const agent = await db().agent.findUniqueOrThrow({ where: { id: client.id }, select: { id: true, scopes: true, grantTypes: true, redirectUris: true, metadata: true } });
  const applicationType = recordedApplicationType(agent);
  const sent = params.get('redirect_uri');
  const redirectUri = sent ?? (agent.redirectUris.length === 1 ? agent.redirectUris[0]! : undefined);
  if (!redirectUri || !matchRedirectUri(redirectUri, agent.redirectUris, applicationType)) {
    throw new OAuthError('invalid_request', 'redirect_uri is missing or does not match a registered redirect URI.');
  }
  const { requestUri } = await createAuthorizationRequest({ agent, params, redirectUri, redirectUriSent: sent !== undefined, pushed: true });
  return oauthJson({ request_uri: requestUri, expires_in: REQUEST_URI_TTL_SECONDS }, { status: 201 });
});
