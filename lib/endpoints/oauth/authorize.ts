// GET /oauth/authorize (RFC 6749 §4.1.1, OAuth 2.1 §4.1.1). Validates the request in the order the
// RFC requires: first what makes a redirect safe (client, redirect URI; errors shown to the user),
// then everything else (errors redirected to the agent, with state and iss). A valid request is
// stored (see authorization-request-states.ts) and the browser goes to the consent screen.
import 'server-only';
import { isDatabaseUnavailable } from '@/lib/db/is-database-unavailable';
import { assertClockTrusted } from '@/lib/clock/trusted-clock';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { recordedApplicationType } from '@/lib/oauth/clients/client-metadata';
import { matchRedirectUri } from '@/lib/oauth/clients/match-redirect-uri';
import { isMetadataDocumentClientId, MetadataDocumentError, resolveMetadataDocumentClient } from '@/lib/oauth/clients/resolve-metadata-document-client';
import { clientIp } from '@/lib/http/client-ip';
import { authorizationRedirect } from '@/lib/oauth/authorization-response';
import { authorizationErrorPage } from '@/lib/oauth/error-page';
import { OAuthError } from '@/lib/oauth/errors';
import { parseParameters } from '@/lib/oauth/read-form';
import { createAuthorizationRequest, REQUEST_URI_PREFIX } from '@/lib/oauth/create-authorization-request';
import { hashToken } from '@/lib/tokens/opaque-token';
import { claimRequestUri } from '@/lib/oauth/authorization-request-states';
import { redeemOnce } from '@/lib/tokens/redeem-once';
import { log } from '@/lib/log/logger';

export async function handleAuthorize(request: Request): Promise<Response> {
  const query = new URL(request.url).searchParams;
  for (const name of ['client_id', 'redirect_uri']) {
    if (query.getAll(name).length > 1) return authorizationErrorPage('Invalid request', `The parameter ${name} is repeated.`);
  }
  const clientId = query.get('client_id');
  if (!clientId) return authorizationErrorPage('Invalid request', 'The request does not say which application is asking (client_id).');

  let agent;
  try {
    // Authorization requests and sessions expire: not decided on a clock that jumped (the 503 page below).
    await assertClockTrusted();
    if (isMetadataDocumentClientId(clientId)) await resolveMetadataDocumentClient(clientId, clientIp(request.headers));
    agent = await db().agent.findUnique({
      where: { clientId },
      select: { id: true, status: true, redirectUris: true, grantTypes: true, scopes: true, metadata: true },
    });
  } catch (error) {
    if (error instanceof MetadataDocumentError) return authorizationErrorPage('Unverifiable application', error.message);
    log('authorize').error({ err: error }, 'database error');
    return authorizationErrorPage('Leash is unavailable', 'Please try again in a moment.', 503);
  }
  if (!agent) return authorizationErrorPage('Unknown application', 'No application is registered with this client_id.');
  if (agent.status !== 'ACTIVE') return authorizationErrorPage('Application suspended', 'This application has been suspended.');

  // RFC 9126 §4: a pushed request is used once, by the client that pushed it, before it expires;
  // only its stored parameters count.
  const requestUri = query.get('request_uri');
  if (requestUri?.startsWith(REQUEST_URI_PREFIX)) return resumePushedRequest(agent.id, requestUri, query.getAll('request_uri').length);

  // §3.1.2.3: with one registered redirect URI the parameter may be omitted; otherwise it must match.
  const applicationType = recordedApplicationType(agent);
  const sentRedirect = query.get('redirect_uri');
  const redirectUri = sentRedirect ?? (agent.redirectUris.length === 1 ? agent.redirectUris[0]! : null);
  if (!redirectUri || !matchRedirectUri(redirectUri, agent.redirectUris, applicationType)) {
    return authorizationErrorPage('Invalid redirect URI', sentRedirect ? 'The redirect_uri does not match any URI registered for this application.' : 'redirect_uri is required.');
  }

  // From here on, errors go back to the agent.
  const stateValues = query.getAll('state');
  const state = stateValues.length === 1 ? stateValues[0] : undefined;
  try {
    const params = parseParameters(query);
    if (!agent.grantTypes.includes('authorization_code')) {
      throw new OAuthError('unauthorized_client', 'This application is not registered for the authorization code flow.');
    }
    const { id } = await createAuthorizationRequest({
      agent,
      params,
      redirectUri,
      redirectUriSent: sentRedirect !== null,
      pushed: false,
    });
    return Response.redirect(`${getConfig().issuer}/consent/${id}`, 303);
  } catch (error) {
    if (!(error instanceof OAuthError)) {
      // RFC 6749 §4.1.2.1: temporarily_unavailable when the database cannot serve the request now.
      if (isDatabaseUnavailable(error)) {
        log('authorize').error({ err: error }, 'database unavailable');
        error = new OAuthError('temporarily_unavailable', 'The authorization server cannot reach its database. Try again shortly.');
      } else {
        log('authorize').error({ err: error }, 'unexpected error');
        error = new OAuthError('server_error', 'The authorization server hit an unexpected condition.');
      }
    }
    const e = error as OAuthError;
    return Response.redirect(authorizationRedirect(redirectUri, { error: e.code, error_description: e.description, state }), 303);
  }
}

async function resumePushedRequest(agentId: string, requestUri: string, occurrences: number): Promise<Response> {
  if (occurrences > 1) return authorizationErrorPage('Invalid request', 'The parameter request_uri is repeated.');
  // RFC 9126 §4: a request_uri is used once; unknown, expired, used or another agent's look alike.
  return redeemOnce({
    when: 'first',
    claim: (q) => claimRequestUri(q, { requestUriHash: hashToken(requestUri), agentId, now: new Date() }),
    onReplay: async () => authorizationErrorPage('Invalid request', 'The request_uri is unknown, expired, already used, or belongs to another application.'),
    redeem: async () => {
      const pushed = await db().authorizationRequest.findUniqueOrThrow({ where: { requestUriHash: hashToken(requestUri) }, select: { id: true } });
      return Response.redirect(`${getConfig().issuer}/consent/${pushed.id}`, 303);
    },
  });
}
