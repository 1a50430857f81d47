// The framework-free core of the kit: `createVerifier(options)` gives `verify(request, route)`,
// which decides one request the way Leash's own API does (lib/resource/authenticate-bearer.ts and
// authorize-action.ts in Leash), in this order:
//   1. the token from the Authorization header only (RFC 6750 §2.1; never the query string);
//   2. valid: a JWT access token verified locally (RFC 9068 §4) or an opaque one introspected
//      (RFC 7662), for this resource (RFC 8707 audience) and not revoked by a Shared Signal;
//   3. DPoP (RFC 9449 §7): a bound token needs the DPoP scheme and a fresh proof with its key;
//      a bound token sent as Bearer is refused (whoever copied it lacks the key);
//   4. the route's scopes (RFC 6750 §3.1 insufficient_scope, naming every scope needed);
//   5. the route's action, asked of Leash's PDP (OpenID AuthZEN): allow, or the refusal that
//      tells the agent what to do next (deny with the policy's reason, step-up, approval).
// Anything that cannot be decided (Leash or its keys unreachable) is refused with 503: fail closed.
import { createDiscovery, type AuthorizationServerMetadata } from './discovery.js';
import { Introspector, IntrospectionUnavailable, basicAuthorization } from './introspection.js';
import { createJwtVerifier, JwtInvalid, looksLikeJwtAccessToken } from './jwt-access-token.js';
import { DPOP_ALGS, verifyDpopProof } from './dpop.js';
import { TtlCache } from './ttl-cache.js';
import { Refusal, refusalAnswer, type ChallengeContext, type RefusalAnswer } from './refusal.js';
import { RevocationList, matchesSubject } from './revocations.js';
import { createSetVerifier, registerStream, sameSecret, SetRejected, type ReceivedSet } from './shared-signals.js';
import { evaluate, tokenSubject, type Entity, type PolicyOutcome } from './authzen.js';
import type { AccessTokenClaims } from './token-claims.js';

export type VerifierOptions = {
  /** Leash's issuer URL (discovery, RFC 8414). */
  issuer: string;
  /** This API's resource identifier as registered in Leash: the tokens' audience (RFC 8707). */
  resource: string;
  /** This API's own credentials (registered with the resource): introspection, the PDP, Shared Signals. */
  clientId?: string;
  clientSecret?: string;
  /** 'auto' (default): a JWT whose typ is at+jwt is verified locally, anything else introspected. */
  tokenFormat?: 'auto' | 'opaque' | 'jwt';
  /** For this API's RFC 9728 metadata: the scopes it defines, its name. */
  scopes?: string[];
  resourceName?: string;
  /** The origin agents address (DPoP `htu`); default the resource identifier's origin. Set it behind a proxy. */
  publicUrl?: string;
  /** RFC 6750 §3 realm of the challenges; none by default. */
  realm?: string;
  /** Introspection answers cache: seconds (default 30, never beyond the token's exp; 0 = off) and entries (default 10,000). */
  introspectionCacheSeconds?: number;
  introspectionCacheSize?: number;
  /** DPoP: accepted iat window in seconds (default 60), replay cache size (default 100,000), and whether every token must be DPoP-bound (default false). */
  dpopIatWindowSeconds?: number;
  dpopReplayCacheSize?: number;
  dpopRequired?: boolean;
  /** JWT exp/iat tolerance in seconds (default 5). */
  clockToleranceSeconds?: number;
  /** How long a Shared Signals revocation is applied to JWTs issued before it; at least the longest access token lifetime (default 3600 s). */
  revocationMemorySeconds?: number;
  /** Timeout of each call to Leash, milliseconds (default 5000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
};

/** What a protected route asks for. */
export type RouteRequirements = {
  /** Every scope the route needs. */
  scopes?: string[];
  /** The route's action as declared in Leash (asked of the PDP, OpenID AuthZEN). */
  action?: string;
  /** What the action acts on (AuthZEN resource); default `{ type: action's noun, id: '*' }`. */
  resource?: Entity;
  /** What the policy needs to know about this call (an amount, a dataset). */
  context?: Record<string, unknown>;
};

/** The minimum of a request the verifier reads: a Fetch API Request fits. */
export type RequestLike = {
  method: string;
  /** Absolute, or the path (resolved against `publicUrl`). */
  url: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The caller's address as this API sees it (AuthZEN context `ip`, for policies with address rules). */
  ip?: string;
};

export type LeashAuth = {
  claims: AccessTokenClaims;
  /** The person the agent acts for (absent for a token the agent holds for itself). */
  userId?: string;
  /** The agent (OAuth client). */
  clientId?: string;
  scopes: string[];
  /** The `Agent-Intent` header: why the agent says it makes this call. */
  intent?: string;
  /** The PDP's answer, when the route has an action. */
  decision?: PolicyOutcome;
  /** The key the request was proven with (DPoP). */
  dpopJkt?: string;
};

export type VerifyResult = { ok: true; auth: LeashAuth } | { ok: false; refusal: Refusal; answer: RefusalAnswer };

const header = (headers: RequestLike['headers'], name: string): string | null => {
  if (headers instanceof Headers) return headers.get(name);
  const value = headers[name.toLowerCase()] ?? headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? null);
};

export function createVerifier(options: VerifierOptions) {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const resourceUrl = new URL(options.resource);
  const publicOrigin = new URL(options.publicUrl ?? options.resource).origin;
  // RFC 9728 §3.1: the well-known segment between the host and the resource's path.
  const metadataPath = `/.well-known/oauth-protected-resource${resourceUrl.pathname === '/' ? '' : resourceUrl.pathname.replace(/\/$/, '')}`;
  const challenge: ChallengeContext = { resourceMetadataUrl: `${resourceUrl.origin}${metadataPath}`, realm: options.realm, dpopAlgs: DPOP_ALGS };
  const discover = createDiscovery(options.issuer, fetchImpl, timeoutMs);
  const credentials = options.clientId && options.clientSecret ? basicAuthorization(options.clientId, options.clientSecret) : undefined;
  const needed =
    <K extends keyof AuthorizationServerMetadata>(key: K) =>
    async () => {
      const value = (await discover())[key];
      if (typeof value !== 'string') throw new IntrospectionUnavailable(`the authorization server metadata has no ${String(key)}`);
      return value;
    };
  const introspector =
    options.clientId && options.clientSecret
      ? new Introspector({
          endpoint: needed('introspection_endpoint'),
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          fetch: fetchImpl,
          timeoutMs,
          ttlSeconds: options.introspectionCacheSeconds ?? 30,
          maxEntries: options.introspectionCacheSize ?? 10_000,
        })
      : undefined;
  const verifyJwt = createJwtVerifier({
    issuer: options.issuer,
    audience: options.resource,
    jwksUri: needed('jwks_uri'),
    clockToleranceSeconds: options.clockToleranceSeconds ?? 5,
    fetch: options.fetch,
  });
  const verifySet = createSetVerifier({ issuer: options.issuer, audience: options.resource, jwksUri: needed('jwks_uri'), fetch: options.fetch });
  const replayCache = new TtlCache<true>(options.dpopReplayCacheSize ?? 100_000);
  const revocations = new RevocationList(options.revocationMemorySeconds ?? 3600);
  let streamSecret: string | undefined;

  const refuse = (refusal: Refusal): VerifyResult => ({ ok: false, refusal, answer: refusalAnswer(refusal, challenge) });
  const invalidToken = (description: string, debug?: string) => refuse(new Refusal('invalid_token', description, { status: 401, challenge: 'Bearer', debug }));
  const unavailable = (error: unknown) =>
    refuse(
      new Refusal('temporarily_unavailable', 'The authorization server could not be reached: try again shortly.', {
        status: 503,
        debug: error instanceof Error ? error.message : String(error),
        cause: error,
      }),
    );

  async function validate(token: string): Promise<{ claims: AccessTokenClaims } | { result: VerifyResult }> {
    const asJwt = options.tokenFormat === 'jwt' || (options.tokenFormat !== 'opaque' && looksLikeJwtAccessToken(token));
    if (asJwt) {
      try {
        const claims = await verifyJwt(token);
        // Shared Signals: a JWT cannot be asked about, so the revocations Leash pushed are applied here.
        const revoked = revocations.revoking(claims);
        if (revoked) return { result: invalidToken('The access token was revoked.', `shared signal: ${revoked.reason}`) };
        return { claims };
      } catch (error) {
        if (error instanceof JwtInvalid && !error.jwksUnavailable) return { result: invalidToken(error.message) };
        return { result: unavailable(error) };
      }
    }
    if (!introspector) return { result: invalidToken('The access token is not a JWT access token, and this API has no credentials to introspect it.') };
    try {
      const claims = await introspector.introspect(token);
      // RFC 7662 §2.2: inactive covers unknown, expired, revoked and "not for you" alike.
      if (!claims) return { result: invalidToken('The access token is not active: unknown, expired, revoked or not for this resource.') };
      return { claims };
    } catch (error) {
      return { result: unavailable(error) };
    }
  }

  // The presented token of an authenticated request, for the PDP (kept off the public LeashAuth).
  const presentedTokens = new WeakMap<LeashAuth, string>();

  /** Steps 1-4: the token, its validity, DPoP, the route's scopes. A framework can run this before reading the body. */
  async function authenticate(request: RequestLike, route: Pick<RouteRequirements, 'scopes'> = {}): Promise<VerifyResult> {
    const routeScope = route.scopes?.length ? route.scopes.join(' ') : undefined;
    const authorization = header(request.headers, 'authorization');
    if (!authorization) {
      // RFC 6750 §3.1: no credentials, no error code; the scope to ask for and where to learn more (RFC 9728 §5.1).
      return refuse(new Refusal('unauthorized', 'A bearer token is required.', { status: 401, challenge: 'Bearer', scope: routeScope ?? options.scopes?.join(' ') }));
    }
    const match = /^(Bearer|DPoP) ([\x21-\x7e]+)$/i.exec(authorization.trim());
    if (!match) return refuse(new Refusal('invalid_request', 'Malformed Authorization header.', { status: 401, challenge: 'Bearer' }));
    const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const token = match[2]!;

    const validated = await validate(token);
    if ('result' in validated) return validated.result;
    const { claims } = validated;
    // RFC 8707 / RFC 9068 §4: the token must be meant for this resource (introspection already filters; checked again).
    if (!claims.aud.includes(options.resource)) return invalidToken('The access token is not for this resource.');
    if (claims.exp * 1000 <= Date.now()) return invalidToken('The access token has expired.');

    // RFC 9449 §7.1: DPoP-bound tokens need the DPoP scheme with a proof of the bound key.
    const boundJkt = claims.cnf?.jkt;
    let dpopJkt: string | undefined;
    if (boundJkt || scheme === 'DPoP' || options.dpopRequired) {
      const dpopRefusal = (code: 'invalid_token' | 'invalid_dpop_proof', description: string) => refuse(new Refusal(code, description, { status: 401, challenge: 'DPoP' }));
      if (!boundJkt && options.dpopRequired) return dpopRefusal('invalid_token', 'This API requires a DPoP-bound access token.');
      if (scheme !== 'DPoP') return dpopRefusal('invalid_token', 'This access token is DPoP-bound: send it with the DPoP scheme and a proof.');
      if (!boundJkt) return dpopRefusal('invalid_token', 'This access token is not DPoP-bound: send it as a Bearer token.');
      const path = new URL(request.url, publicOrigin).pathname;
      const checked = await verifyDpopProof(
        header(request.headers, 'dpop'),
        { method: request.method.toUpperCase(), url: `${publicOrigin}${path}`, accessToken: token, expectedJkt: boundJkt },
        { iatWindowSeconds: options.dpopIatWindowSeconds ?? 60, replayCache },
      );
      if (!checked.ok) {
        const code = checked.description.startsWith('The DPoP proof was made with another key') ? 'invalid_token' : 'invalid_dpop_proof';
        return dpopRefusal(code, checked.description);
      }
      dpopJkt = checked.jkt;
    }

    // RFC 6750 §3.1: every scope the route needs, named in one challenge.
    if (route.scopes?.length && !route.scopes.every((s) => claims.scopes.includes(s))) {
      return refuse(new Refusal('insufficient_scope', `This operation needs: ${routeScope}.`, { status: 403, challenge: 'Bearer', scope: routeScope }));
    }

    const intent = header(request.headers, 'agent-intent') ?? undefined;
    const auth: LeashAuth = { claims, userId: claims.sub !== claims.client_id ? claims.sub : undefined, clientId: claims.client_id, scopes: claims.scopes, intent, dpopJkt };
    presentedTokens.set(auth, token);
    return { ok: true, auth };
  }

  /** Step 5: the route's action, asked of Leash's PDP, for a request `authenticate` let through. */
  async function authorize(auth: LeashAuth, request: RequestLike, route: RouteRequirements): Promise<VerifyResult> {
    if (!route.action) return { ok: true, auth };
    const { intent } = auth;
    const token = presentedTokens.get(auth);
    if (!token) return unavailable(new Error('authorize() takes the LeashAuth that authenticate() returned'));
    const routeScope = route.scopes?.length ? route.scopes.join(' ') : undefined;
    // OpenID AuthZEN: ask Leash's PDP about this action.
    if (!credentials) return unavailable(new Error('a route with an action needs the resource server credentials (clientId, clientSecret) to ask the PDP'));
    let decision: PolicyOutcome;
    try {
      const noun = route.action.split(/[.:]/)[0] ?? route.action;
      decision = await evaluate({
        endpoint: await pdpEndpoint(),
        authorization: credentials,
        fetch: fetchImpl,
        timeoutMs,
        request: {
          subject: tokenSubject(token),
          action: { name: route.action },
          resource: route.resource ?? { type: noun, id: '*' },
          context: {
            ...route.context,
            ...(intent ? { intent } : {}),
            // AuthZEN §5.4: when and from where (an IPv4-mapped IPv6 address as its IPv4 form).
            ...(request.ip && /^[0-9A-Fa-f:.]{2,45}$/.test(request.ip) ? { ip: request.ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1') } : {}),
            time: new Date().toISOString(),
          },
        },
      });
    } catch (error) {
      return unavailable(error);
    }
    auth.decision = decision;
    return decide(decision, auth, routeScope);
  }

  /** The whole decision for one request: `authenticate`, then `authorize`. */
  async function verify(request: RequestLike, route: RouteRequirements = {}): Promise<VerifyResult> {
    const authenticated = await authenticate(request, route);
    return authenticated.ok ? authorize(authenticated.auth, request, route) : authenticated;
  }

  async function decide(decision: PolicyOutcome, auth: LeashAuth, routeScope: string | undefined): Promise<VerifyResult> {
    if (decision.kind === 'allow') return { ok: true, auth };
    // The PDP no longer takes the token (revoked between our check and its): the token's refusal.
    if (decision.kind === 'error' && decision.status === 401) return invalidToken('The access token is not active for this resource.');
    if (decision.kind === 'error') return refuse(new Refusal('access_denied', `No decision: ${decision.reason}`, { status: 403 }));
    if (decision.kind === 'deny') {
      return refuse(new Refusal('access_denied', `Denied by the agent's policy: ${decision.reason}.`, { status: 403, fields: { policy_rule: decision.rule } }));
    }
    if (decision.kind === 'step_up') {
      // RFC 9470 §3: the person must authenticate more strongly (Leash: a second factor).
      return refuse(
        new Refusal('insufficient_user_authentication', `This action needs a second factor (${decision.reason}).`, {
          status: 401,
          challenge: 'step-up',
          acrValues: decision.acrValues ?? 'urn:leash:acr:mfa',
          maxAge: decision.maxAge,
          fields: { policy_rule: decision.rule },
        }),
      );
    }
    const metadata = await discover().catch(() => undefined);
    return refuse(
      new Refusal(
        'approval_required',
        `This action needs the user's approval (${decision.reason}). Ask for it at the backchannel authentication endpoint (OpenID CIBA, poll mode) with login_hint_token set to the access token of this call, this scope (and the action's authorization_details) and a binding_message; poll the token endpoint for a just-in-time token.`,
        {
          status: 403,
          fields: {
            policy_rule: decision.rule,
            required_scope: decision.requiredScope ?? routeScope,
            backchannel_authentication_endpoint: decision.backchannelEndpoint ?? metadata?.backchannel_authentication_endpoint ?? `${options.issuer}/oauth/bc-authorize`,
            // CIBA §7.1 login_hint_token, of this type (RFC 8693 §3 token type URI).
            login_hint_token_type: 'urn:ietf:params:oauth:token-type:access_token',
            grant_type: 'urn:openid:params:grant-type:ciba',
            approval_uri: decision.approvalUri,
          },
        },
      ),
    );
  }

  let pdp: Promise<string> | undefined;
  function pdpEndpoint(): Promise<string> {
    // AuthZEN §9: the PDP metadata names the evaluation endpoint; the spec's default path otherwise.
    pdp ??= (async () => {
      const issuer = new URL(options.issuer);
      const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
      try {
        const response = await fetchImpl(`${issuer.origin}/.well-known/authzen-configuration${path}`, { signal: AbortSignal.timeout(timeoutMs) });
        if (response.ok) {
          const metadata = (await response.json()) as { access_evaluation_endpoint?: unknown };
          if (typeof metadata.access_evaluation_endpoint === 'string') return metadata.access_evaluation_endpoint;
        }
      } catch {
        // fall through to the default path
      }
      return `${options.issuer.replace(/\/$/, '')}/access/v1/evaluation`;
    })();
    return pdp;
  }

  /** RFC 9728 §2: this API's metadata, served at `metadataPath`. */
  function metadata(): Record<string, unknown> {
    return {
      resource: options.resource,
      authorization_servers: [options.issuer],
      bearer_methods_supported: ['header'],
      ...(options.scopes?.length ? { scopes_supported: options.scopes } : {}),
      ...(options.resourceName ? { resource_name: options.resourceName } : {}),
      dpop_signing_alg_values_supported: [...DPOP_ALGS],
      ...(options.dpopRequired ? { dpop_bound_access_tokens_required: true } : {}),
    };
  }

  /** Applies a verified SET: drops matching cached answers and remembers the revocation for JWTs. */
  function apply(received: ReceivedSet): number {
    let dropped = 0;
    for (const revocation of received.revocations) {
      revocations.add(revocation);
      dropped += introspector?.dropWhere((claims) => matchesSubject(revocation.subject, claims)) ?? 0;
    }
    return dropped;
  }

  /**
   * RFC 8935 §2: one pushed SET. Answers 202 when accepted, 400 `{ err, description }` (§2.3) when
   * not; 401 when the delivery lacks the secret given at stream registration.
   */
  async function receiveSet(request: RequestLike, body: string): Promise<{ status: number; headers: Record<string, string>; body?: Record<string, string>; received?: ReceivedSet }> {
    const json = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
    if (streamSecret !== undefined && !sameSecret(header(request.headers, 'authorization'), streamSecret)) {
      return { status: 401, headers: json, body: { err: 'authentication_failed', description: 'The delivery did not carry the stream authorization.' } };
    }
    const type = (header(request.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/secevent+jwt') return { status: 400, headers: json, body: { err: 'invalid_request', description: 'Expected Content-Type application/secevent+jwt (RFC 8935 §2).' } };
    try {
      const received = await verifySet(body.trim());
      apply(received);
      return { status: 202, headers: { 'Cache-Control': 'no-store' }, received };
    } catch (error) {
      if (error instanceof SetRejected) return { status: 400, headers: json, body: { err: error.err, description: error.message } };
      // Leash's keys unreachable: not the SET's fault; the transmitter retries later.
      return { status: 503, headers: { ...json, 'Retry-After': '5' }, body: { err: 'invalid_key', description: 'The issuer keys could not be fetched; try again.' } };
    }
  }

  /** SSF §8.1.1: registers a push stream to `endpointUrl` with Leash; deliveries then must carry its secret. */
  async function registerSharedSignalsStream(endpointUrl: string, description?: string): Promise<{ streamId: string }> {
    if (!credentials) throw new Error('registering a Shared Signals stream needs the resource server credentials (clientId, clientSecret)');
    const stream = await registerStream({ issuer: options.issuer, endpointUrl, clientAuthorization: credentials, fetch: fetchImpl, timeoutMs, description });
    streamSecret = stream.authorizationHeader;
    return { streamId: stream.streamId };
  }

  return {
    verify,
    authenticate,
    authorize,
    metadata,
    metadataPath,
    receiveSet,
    registerSharedSignalsStream,
    /** The cache of introspection answers (size, clear), for operators and tests. */
    introspectionCache: introspector?.cache,
    /** The refusal answer for a refusal made by the application itself (same challenges). */
    answer: (refusal: Refusal) => refusalAnswer(refusal, challenge),
  };
}

export type Verifier = ReturnType<typeof createVerifier>;
