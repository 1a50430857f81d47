// Stores a validated authorization request (see authorization-request-states.ts), from the
// authorization endpoint or pushed beforehand (RFC 9126). Returns its id, and for a pushed
// request the request_uri the client then sends to the authorization endpoint.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { AUTHORIZATION_REQUEST_TTL_SECONDS } from '@/lib/oauth/authorization-request-states';
import type { OAuthParams } from '@/lib/oauth/read-form';
import { validateAuthorizationParams } from '@/lib/oauth/validate-authorization-params';
import { hashToken } from '@/lib/tokens/opaque-token';

export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** RFC 9126 §2.2: short-lived; 60 seconds is the example the RFC gives. */
export const REQUEST_URI_TTL_SECONDS = 60;

export async function createAuthorizationRequest(options: {
  agent: { id: string; scopes: string[]; grantTypes: string[] };
  params: OAuthParams;
  redirectUri: string;
  redirectUriSent: boolean;
  pushed: boolean;
}): Promise<{ id: string; requestUri?: string }> {
  const { agent, params } = options;
  const valid = await validateAuthorizationParams(params, agent);
  const id = crypto.randomBytes(24).toString('base64url');
  const requestUri = options.pushed ? `${REQUEST_URI_PREFIX}${crypto.randomBytes(24).toString('base64url')}` : undefined;
  const now = Date.now();
  await db().authorizationRequest.create({
    data: {
      id,
      agentId: agent.id,
      redirectUri: options.redirectUri,
      redirectUriSent: options.redirectUriSent,
      scopes: valid.scopes,
      resources: valid.resources,
      state: params.get('state') ?? null,
      codeChallenge: valid.codeChallenge,
      authorizationDetails: valid.authorizationDetails ?? undefined,
      prompt: valid.prompt ?? null,
      maxAge: valid.maxAge ?? null,
      acrValues: valid.acrValues,
      // Replaced with a fresh token each time the consent screen is shown.
      consentTokenHash: hashToken(crypto.randomBytes(32).toString('base64url')),
      requestUriHash: requestUri ? hashToken(requestUri) : null,
      requestUriExpiresAt: requestUri ? new Date(now + REQUEST_URI_TTL_SECONDS * 1000) : null,
      expiresAt: new Date(now + AUTHORIZATION_REQUEST_TTL_SECONDS * 1000),
    },
  });
  return { id, requestUri };
}
