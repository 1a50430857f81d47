// connect(): from nothing to a connected agent. Discovery (RFC 8414; RFC 9728 when only the
// resource is known), the client (a Client ID Metadata Document URL used as client_id when the
// agent has one, else dynamic registration as a public native client, RFC 7591 / RFC 8252), then
// the person's consent: the authorization code flow with PKCE S256 and a loopback callback, or the
// device authorization grant (RFC 8628) when there is no browser. Tokens are DPoP-bound (RFC 9449)
// to a fresh non-extractable P-256 key unless `dpop: false`.
import { LeashAgent, type AgentOptions, type ApprovalOptions, type LeashSession } from './agent.js';
import { DpopKey, DpopNonces } from './dpop.js';
import { AuthorizationError, DiscoveryError, LeashError } from './errors.js';
import { pkcePair, randomToken } from './pkce.js';
import { discoverFromResource, fetchServerMetadata, GRANT, registerClient, runDeviceFlow, tokenRequest, type DevicePrompt, type ProtocolContext, type TokenResponse } from './protocol.js';

export type ConnectOptions = {
  /** The protected resource (token audience, RFC 8707), e.g. `https://leash.example/api`. */
  resource: string;
  /** The scopes to ask for. `offline_access` is added unless `offline: false`. */
  scopes: string[];
  /** The authorization server. Default: discovered from the resource (RFC 9728). */
  issuer?: string;
  /** Ask for a refresh token (`offline_access`). Default true. */
  offline?: boolean;
  /** The name people see on the consent screen and in their dashboard (DCR `client_name`). */
  clientName?: string;
  /**
   * A client id the agent already has: an https URL is a Client ID Metadata Document the server
   * fetches (no registration); anything else a client registered before. Default: register now.
   */
  clientId?: string;
  /** `authorization_code` (default when `openBrowser` is given) or `device` (default otherwise: headless). */
  flow?: 'authorization_code' | 'device';
  /** Shows the person the authorization URL (open the system browser; tests drive it with Playwright). */
  openBrowser?: (url: string) => void | Promise<void>;
  /** Shows the person the device code and where to type it. */
  onDeviceCode?: (prompt: DevicePrompt) => void | Promise<void>;
  /** The loopback callback's path (RFC 8252 §7.3); the port is chosen when listening. Default `/callback`. */
  redirectPath?: string;
  /** DPoP (default: a fresh non-extractable key). `false`: bearer tokens. Or the key to bind to. */
  dpop?: boolean | DpopKey;
  /** Extra headers for the registration request (e.g. an initial access token, RFC 7591 §3). */
  registrationHeaders?: Record<string, string>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onSession?: AgentOptions['onSession'];
  approval?: ApprovalOptions;
};

export async function connect(options: ConnectOptions): Promise<LeashAgent> {
  const dpop = options.dpop === false ? null : options.dpop instanceof DpopKey ? options.dpop : await DpopKey.generate();
  const ctx: ProtocolContext = { fetch: options.fetch ?? globalThis.fetch.bind(globalThis), dpop, nonces: new DpopNonces(), signal: options.signal };
  let { issuer, resource } = options;
  if (!issuer) ({ issuer, resource } = await discoverFromResource(ctx, resource));
  const metadata = await fetchServerMetadata(ctx, issuer);
  const flow = options.flow ?? (options.openBrowser ? 'authorization_code' : 'device');
  const scopes = [...new Set([...options.scopes, ...(options.offline === false ? [] : ['offline_access'])])];
  const scope = scopes.join(' ');
  const clientName = options.clientName ?? 'Leash agent';
  const grantTypes = [flow === 'device' ? GRANT.deviceCode : GRANT.authorizationCode, ...(options.offline === false ? [] : [GRANT.refreshToken]), GRANT.ciba, GRANT.tokenExchange];

  let tokens: TokenResponse;
  let clientId = options.clientId;
  if (flow === 'device') {
    clientId ??= await registerClient(
      ctx,
      metadata,
      { client_name: clientName, application_type: 'native', token_endpoint_auth_method: 'none', grant_types: grantTypes, response_types: [], scope },
      options.registrationHeaders,
    );
    const onPrompt = options.onDeviceCode ?? ((p: DevicePrompt) => console.error(`To connect ${clientName}, open ${p.verificationUriComplete ?? p.verificationUri} and enter ${p.userCode}`));
    tokens = await runDeviceFlow(ctx, metadata, { clientId, scope, resource }, onPrompt);
  } else {
    if (!options.openBrowser) throw new LeashError('open_browser_missing', 'The authorization code flow needs openBrowser(url); use flow: "device" without a browser.');
    if (!metadata.authorization_endpoint) throw new DiscoveryError('This server has no authorization endpoint.');
    // RFC 8252 §7.3 and §8.3: a loopback IP literal, any port (the server matches ports loosely for native clients).
    const { startLoopback } = await import('./loopback.js');
    const loopback = await startLoopback({ path: options.redirectPath, appName: clientName });
    try {
      if (clientId?.startsWith('https://') && !metadata.client_id_metadata_document_supported) throw new DiscoveryError('This server does not accept client ID metadata documents.');
      clientId ??= await registerClient(
        ctx,
        metadata,
        {
          client_name: clientName,
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          redirect_uris: [`http://127.0.0.1${options.redirectPath ?? '/callback'}`],
          grant_types: grantTypes,
          response_types: ['code'],
          scope,
        },
        options.registrationHeaders,
      );
      tokens = await authorizationCodeFlow(ctx, metadata, { clientId, scope, resource, redirectUri: loopback.redirectUri, loopback, openBrowser: options.openBrowser });
    } finally {
      await loopback.close();
    }
  }

  const session: LeashSession = {
    issuer,
    resource,
    clientId,
    metadata,
    accessToken: tokens.access_token,
    tokenType: tokens.token_type.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer',
    expiresAt: Date.now() + (tokens.expires_in ?? 600) * 1000,
    refreshToken: tokens.refresh_token,
    scope: tokens.scope ?? scope,
  };
  await options.onSession?.(session);
  return new LeashAgent(session, { fetch: options.fetch, dpop, onSession: options.onSession, approval: options.approval });
}

/** A session stored earlier, with the DPoP key its tokens are bound to. */
export function resume(session: LeashSession, options: Omit<AgentOptions, 'dpop'> & { dpop: DpopKey | null }): LeashAgent {
  return new LeashAgent(session, options);
}

async function authorizationCodeFlow(
  ctx: ProtocolContext,
  metadata: Awaited<ReturnType<typeof fetchServerMetadata>>,
  request: {
    clientId: string;
    scope: string;
    resource: string;
    redirectUri: string;
    loopback: Awaited<ReturnType<(typeof import('./loopback.js'))['startLoopback']>>;
    openBrowser: (url: string) => void | Promise<void>;
  },
): Promise<TokenResponse> {
  const { verifier, challenge } = await pkcePair();
  const state = randomToken(16);
  const url = new URL(metadata.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: request.resource,
  }).toString();
  const waiting = request.loopback.waitForCode(state, ctx.signal);
  await request.openBrowser(url.toString());
  const callback = await waiting;
  // RFC 9207 §2.4: the response must come from the issuer we asked (mix-up defence).
  if (callback.iss !== null && callback.iss !== metadata.issuer) throw new AuthorizationError('invalid_issuer', `The authorization response came from ${callback.iss}, not ${metadata.issuer}.`);
  return tokenRequest(ctx, metadata, {
    grant_type: GRANT.authorizationCode,
    code: callback.code,
    code_verifier: verifier,
    redirect_uri: request.redirectUri,
    client_id: request.clientId,
    resource: request.resource,
  });
}
