// The authorization server side of the SDK, over plain fetch: discovery (RFC 8414, RFC 9728),
// dynamic registration (RFC 7591), the token endpoint with DPoP nonce retry (RFC 9449 §8), the
// device authorization grant (RFC 8628), just-in-time approval (OpenID CIBA Core, poll mode),
// token exchange (RFC 8693) and revocation (RFC 7009). Stateless: everything it needs comes in
// the context object the agent owns.
import { DpopKey, DpopNonces } from './dpop.js';
import { ApprovalDeniedError, ApprovalExpiredError, DeviceFlowError, DiscoveryError, OAuthProtocolError } from './errors.js';
import { parseWwwAuthenticate } from './www-authenticate.js';
import { sleep } from './wait.js';

export const GRANT = {
  authorizationCode: 'authorization_code',
  refreshToken: 'refresh_token',
  deviceCode: 'urn:ietf:params:oauth:grant-type:device_code',
  ciba: 'urn:openid:params:grant-type:ciba',
  tokenExchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
} as const;
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The RFC 8414 fields the SDK uses. */
export type ServerMetadata = {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint: string;
  registration_endpoint?: string;
  device_authorization_endpoint?: string;
  backchannel_authentication_endpoint?: string;
  revocation_endpoint?: string;
  code_challenge_methods_supported?: string[];
  dpop_signing_alg_values_supported?: string[];
  client_id_metadata_document_supported?: boolean;
};

export type TokenResponse = {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  authorization_details?: unknown;
};

export type ProtocolContext = {
  fetch: typeof fetch;
  dpop: DpopKey | null;
  nonces: DpopNonces;
  signal?: AbortSignal;
};

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await response.json();
    return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function protocolError(body: Record<string, unknown>, status: number): OAuthProtocolError {
  return new OAuthProtocolError(typeof body.error === 'string' ? body.error : 'server_error', typeof body.error_description === 'string' ? body.error_description : undefined, status);
}

/** RFC 8414 §3.1: the metadata URL of an issuer (the well-known segment goes before any path). */
export function metadataUrl(issuer: string): string {
  const u = new URL(issuer);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return `${u.origin}/.well-known/oauth-authorization-server${path}`;
}

/** RFC 9728 §3.1: the metadata URL of a protected resource identifier. */
export function resourceMetadataUrl(resource: string): string {
  const u = new URL(resource);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return `${u.origin}/.well-known/oauth-protected-resource${path}`;
}

export async function fetchServerMetadata(ctx: ProtocolContext, issuer: string): Promise<ServerMetadata> {
  const response = await ctx.fetch(metadataUrl(issuer), { headers: { Accept: 'application/json' }, signal: ctx.signal });
  if (!response.ok) throw new DiscoveryError(`No authorization server metadata at ${metadataUrl(issuer)} (HTTP ${response.status}).`);
  const metadata = (await jsonOf(response)) as Partial<ServerMetadata>;
  // RFC 8414 §3.3: the issuer in the document must be exactly the one asked for.
  if (metadata.issuer !== issuer) throw new DiscoveryError(`The metadata names issuer ${String(metadata.issuer)}, not ${issuer} (RFC 8414 §3.3).`);
  if (typeof metadata.token_endpoint !== 'string') throw new DiscoveryError('The metadata has no token_endpoint.');
  return metadata as ServerMetadata;
}

/**
 * The authorization server of a resource (RFC 9728): the `resource_metadata` of the 401 an
 * unauthenticated request gets (§5.1), else the well-known URL of the resource identifier (§3.1).
 * Answers the issuer and the resource identifier the metadata declares (§3.3: it must match).
 */
export async function discoverFromResource(ctx: ProtocolContext, resource: string): Promise<{ issuer: string; resource: string }> {
  let documentUrl = resourceMetadataUrl(resource);
  try {
    const probe = await ctx.fetch(resource, { headers: { Accept: 'application/json' }, signal: ctx.signal });
    if (probe.status === 401) {
      const fromChallenge = parseWwwAuthenticate(probe.headers.get('www-authenticate')).find((c) => c.params.resource_metadata)?.params.resource_metadata;
      if (fromChallenge && new URL(fromChallenge).origin === new URL(resource).origin) documentUrl = fromChallenge;
    }
    await probe.body?.cancel();
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    // the resource could not be reached without a token: the well-known URL still may be
  }
  const response = await ctx.fetch(documentUrl, { headers: { Accept: 'application/json' }, signal: ctx.signal });
  if (!response.ok) throw new DiscoveryError(`No protected resource metadata at ${documentUrl} (HTTP ${response.status}).`);
  const document = await jsonOf(response);
  const declared = typeof document.resource === 'string' ? document.resource : undefined;
  if (!declared || !(resource === declared || resource.startsWith(`${declared.replace(/\/$/, '')}/`))) {
    throw new DiscoveryError(`The resource metadata is for ${String(declared)}, not ${resource} (RFC 9728 §3.3).`);
  }
  const servers = Array.isArray(document.authorization_servers) ? document.authorization_servers.filter((s): s is string => typeof s === 'string') : [];
  if (!servers[0]) throw new DiscoveryError('The resource metadata names no authorization server.');
  return { issuer: servers[0], resource: declared };
}

/** RFC 7591 §3: registers a public native client; answers its client_id. */
export async function registerClient(ctx: ProtocolContext, metadata: ServerMetadata, client: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  if (!metadata.registration_endpoint) throw new DiscoveryError('This server offers no dynamic registration: pass a clientId.');
  const response = await ctx.fetch(metadata.registration_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(client),
    signal: ctx.signal,
  });
  const body = await jsonOf(response);
  if (response.status !== 201 || typeof body.client_id !== 'string') throw protocolError(body, response.status);
  return body.client_id;
}

/**
 * POST to an authorization server endpoint (token, device authorization, backchannel
 * authentication), with a DPoP proof when the agent has a key, retried once with the server's
 * nonce on `use_dpop_nonce` (RFC 9449 §8).
 */
export async function postForm(ctx: ProtocolContext, url: string, params: Record<string, string | string[] | undefined>, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of [value ?? []].flat()) body.append(key, v);
  for (let attempt = 0; ; attempt++) {
    const proof: Record<string, string> = ctx.dpop ? { DPoP: await ctx.dpop.proof({ method: 'POST', url, nonce: ctx.nonces.get(url) }) } : {};
    const response = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers, ...proof },
      body,
      signal: ctx.signal,
    });
    const gotNonce = ctx.nonces.remember(url, response);
    const json = await jsonOf(response);
    if (response.ok) return json;
    if (json.error === 'use_dpop_nonce' && ctx.dpop && gotNonce && attempt === 0) continue;
    throw protocolError(json, response.status);
  }
}

/** RFC 6749 §5.1, RFC 9449 §5: checks the answer is a token response of the expected type. */
export function asTokenResponse(ctx: ProtocolContext, body: Record<string, unknown>): TokenResponse {
  if (typeof body.access_token !== 'string' || typeof body.token_type !== 'string') throw new OAuthProtocolError('invalid_response', 'The token response has no access_token or token_type.', 200);
  const expected = ctx.dpop ? 'dpop' : 'bearer';
  if (body.token_type.toLowerCase() !== expected) throw new OAuthProtocolError('invalid_response', `Expected a ${expected} token, got ${body.token_type}.`, 200);
  return body as TokenResponse;
}

export async function tokenRequest(ctx: ProtocolContext, metadata: ServerMetadata, params: Record<string, string | string[] | undefined>): Promise<TokenResponse> {
  return asTokenResponse(ctx, await postForm(ctx, metadata.token_endpoint, params));
}

export type DevicePrompt = { userCode: string; verificationUri: string; verificationUriComplete?: string; expiresIn: number };

/**
 * RFC 8628 §3.1-3.5: asks for a device code, shows the person the code, polls until they decide.
 * `authorization_pending` polls again after the interval, `slow_down` adds five seconds (§3.5).
 */
export async function runDeviceFlow(
  ctx: ProtocolContext,
  metadata: ServerMetadata,
  request: { clientId: string; scope: string; resource: string },
  onPrompt: (prompt: DevicePrompt) => void | Promise<void>,
): Promise<TokenResponse> {
  if (!metadata.device_authorization_endpoint) throw new DiscoveryError('This server offers no device authorization endpoint.');
  const started = await postForm({ ...ctx, dpop: null }, metadata.device_authorization_endpoint, { client_id: request.clientId, scope: request.scope, resource: request.resource });
  const deviceCode = String(started.device_code);
  let interval = typeof started.interval === 'number' ? started.interval : 5;
  const expiresIn = typeof started.expires_in === 'number' ? started.expires_in : 600;
  await onPrompt({
    userCode: String(started.user_code),
    verificationUri: String(started.verification_uri),
    verificationUriComplete: typeof started.verification_uri_complete === 'string' ? started.verification_uri_complete : undefined,
    expiresIn,
  });
  const deadline = Date.now() + expiresIn * 1000;
  for (;;) {
    await sleep(interval * 1000, ctx.signal);
    try {
      return await tokenRequest(ctx, metadata, { grant_type: GRANT.deviceCode, device_code: deviceCode, client_id: request.clientId });
    } catch (error) {
      if (!(error instanceof OAuthProtocolError)) throw error;
      if (error.error === 'authorization_pending' && Date.now() < deadline) continue;
      if (error.error === 'slow_down') {
        interval += 5;
        continue;
      }
      if (error.error === 'access_denied') throw new DeviceFlowError('access_denied', 'The person denied the device request.');
      if (error.error === 'expired_token' || error.error === 'authorization_pending') throw new DeviceFlowError('expired_token', 'The device code expired before the person approved it.');
      throw error;
    }
  }
}

export type ApprovalAsk = {
  clientId: string;
  /** CIBA §7.1 login_hint_token: the agent's own current access token for the user (what Leash documents for public agents). */
  loginHintToken: string;
  scope?: string;
  authorizationDetails?: unknown[];
  bindingMessage: string;
  resource?: string;
  intent?: string;
  onPending?: (pending: { authReqId: string; bindingMessage: string; expiresIn: number }) => void | Promise<void>;
};

/**
 * OpenID CIBA Core, poll mode: the backchannel authentication request (§7.1), then polling the
 * token endpoint (§7.3 interval, §11 authorization_pending / slow_down / access_denied /
 * expired_token). The login_hint_token is DPoP-bound, so the request carries a proof with its key.
 */
export async function requestApproval(ctx: ProtocolContext, metadata: ServerMetadata, ask: ApprovalAsk): Promise<TokenResponse> {
  const endpoint = metadata.backchannel_authentication_endpoint;
  if (!endpoint) throw new DiscoveryError('This server offers no backchannel authentication endpoint (CIBA).');
  const started = await postForm(
    ctx,
    endpoint,
    {
      client_id: ask.clientId,
      login_hint_token: ask.loginHintToken,
      scope: ask.scope,
      authorization_details: ask.authorizationDetails ? JSON.stringify(ask.authorizationDetails) : undefined,
      binding_message: ask.bindingMessage,
      resource: ask.resource,
    },
    ask.intent ? { 'Agent-Intent': ask.intent } : {},
  );
  const authReqId = String(started.auth_req_id);
  let interval = typeof started.interval === 'number' ? started.interval : 5;
  const expiresIn = typeof started.expires_in === 'number' ? started.expires_in : 300;
  await ask.onPending?.({ authReqId, bindingMessage: ask.bindingMessage, expiresIn });
  for (;;) {
    await sleep(interval * 1000, ctx.signal);
    try {
      return await tokenRequest(ctx, metadata, { grant_type: GRANT.ciba, auth_req_id: authReqId, client_id: ask.clientId });
    } catch (error) {
      if (!(error instanceof OAuthProtocolError)) throw error;
      if (error.error === 'authorization_pending') continue;
      if (error.error === 'slow_down') {
        interval += 5;
        continue;
      }
      if (error.error === 'access_denied') throw new ApprovalDeniedError(ask.bindingMessage);
      if (error.error === 'expired_token') throw new ApprovalExpiredError(ask.bindingMessage);
      throw error;
    }
  }
}

/** RFC 7009 §2.1: revokes one token; a public client identifies itself with its client_id. */
export async function revokeToken(ctx: ProtocolContext, metadata: ServerMetadata, clientId: string, token: string, hint: 'access_token' | 'refresh_token'): Promise<void> {
  if (!metadata.revocation_endpoint) throw new DiscoveryError('This server offers no revocation endpoint.');
  await postForm({ ...ctx, dpop: null }, metadata.revocation_endpoint, { token, token_type_hint: hint, client_id: clientId });
}
