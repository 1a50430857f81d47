// The resource server's refusals, with the same codes, bodies and challenges Leash's own API sends
// (lib/resource/refusal.ts and lib/resource/challenge.ts in the Leash repository), so an agent that
// handles Leash's API (for example @leash/agent) handles yours:
// - Bearer (RFC 6750 §3), with RFC 9728 §5.1 `resource_metadata`; without credentials, no error code
//   but the scope to ask for;
// - DPoP (RFC 9449 §7.1), with the algorithms this server accepts;
// - step-up (RFC 9470 §3), naming the assurance (`acr_values`) and, when asked, `max_age`;
// - 403 `access_denied` (the person's policy said no, with its rule) and `approval_required` (the
//   person's approval gets a just-in-time token: OpenID CIBA, with the endpoint and the hint type).
// Every answer is `Cache-Control: no-store`. The description is safe to send; `debug` is for logs.

export type RefusalCode =
  | 'unauthorized'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'insufficient_user_authentication'
  | 'access_denied'
  | 'approval_required'
  | 'temporarily_unavailable';

export type ChallengeScheme = 'Bearer' | 'DPoP' | 'step-up';

export type RefusalInit = {
  status: 400 | 401 | 403 | 503;
  challenge?: ChallengeScheme;
  /** insufficient_scope: every scope the route needs; without a token: the scope to ask for. */
  scope?: string;
  /** step-up (RFC 9470 §3). */
  acrValues?: string;
  maxAge?: number;
  /** Extension members of the JSON body, after `error_description`. */
  fields?: Record<string, string | number | undefined>;
  debug?: string;
  cause?: unknown;
};

export class Refusal extends Error {
  readonly status: RefusalInit['status'];
  readonly challenge?: ChallengeScheme;
  readonly scope?: string;
  readonly acrValues?: string;
  readonly maxAge?: number;
  readonly fields: Record<string, string | number | undefined>;
  readonly debug?: string;

  constructor(
    readonly code: RefusalCode,
    readonly description: string,
    init: RefusalInit,
  ) {
    super(description, { cause: init.cause });
    this.name = 'Refusal';
    this.status = init.status;
    this.challenge = init.challenge;
    this.scope = init.scope;
    this.acrValues = init.acrValues;
    this.maxAge = init.maxAge;
    this.fields = init.fields ?? {};
    this.debug = init.debug;
  }
}

/** What the challenges need to know about this resource server. */
export type ChallengeContext = {
  /** RFC 9728 §3.1: this resource's metadata URL, for `resource_metadata` (§5.1). */
  resourceMetadataUrl: string;
  /** RFC 6750 §3 `realm`; omitted when not set. */
  realm?: string;
  /** RFC 9449 §7.1 `algs`. */
  dpopAlgs: readonly string[];
};

/** The answer to send: status, headers (with the challenge) and the JSON body. */
export type RefusalAnswer = { status: number; headers: Record<string, string>; body: Record<string, string | number> };

// A quoted-string (RFC 9110 §5.6.4) of text we produce: quotes and backslashes are dropped, as Leash does.
const quote = (v: string) => `"${v.replace(/["\\]/g, '')}"`;

export function challengeHeader(refusal: Refusal, ctx: ChallengeContext): string | undefined {
  const realm = ctx.realm ? [`realm=${quote(ctx.realm)}`] : [];
  const { code, description } = refusal;
  if (refusal.challenge === 'Bearer') {
    const parts = [...realm, `resource_metadata=${quote(ctx.resourceMetadataUrl)}`];
    // RFC 6750 §3.1: a request without credentials gets no error code, only where to go and what scope to ask for.
    if (code === 'unauthorized') {
      if (refusal.scope) parts.push(`scope=${quote(refusal.scope)}`);
    } else {
      parts.push(`error=${quote(code)}`, `error_description=${quote(description)}`);
      if (refusal.scope) parts.push(`scope=${quote(refusal.scope)}`);
    }
    return `Bearer ${parts.join(', ')}`;
  }
  if (refusal.challenge === 'DPoP') {
    const parts = [...realm, `algs=${quote(ctx.dpopAlgs.join(' '))}`, `resource_metadata=${quote(ctx.resourceMetadataUrl)}`, `error=${quote(code)}`, `error_description=${quote(description)}`];
    return `DPoP ${parts.join(', ')}`;
  }
  if (refusal.challenge === 'step-up') {
    // RFC 9470 §3: the Bearer scheme with error="insufficient_user_authentication", acr_values and/or max_age.
    const parts = [...realm, `error=${quote(code)}`, `error_description=${quote(description)}`];
    if (refusal.acrValues) parts.push(`acr_values=${quote(refusal.acrValues)}`);
    if (refusal.maxAge !== undefined) parts.push(`max_age=${refusal.maxAge}`);
    parts.push(`resource_metadata=${quote(ctx.resourceMetadataUrl)}`);
    return `Bearer ${parts.join(', ')}`;
  }
  return undefined;
}

export function refusalAnswer(refusal: Refusal, ctx: ChallengeContext): RefusalAnswer {
  const body: Record<string, string | number> = { error: refusal.code, error_description: refusal.description };
  // insufficient_scope names the scopes in the body too (Leash's API does); the no-token hint is challenge-only.
  if (refusal.scope && refusal.code !== 'unauthorized') body.scope = refusal.scope;
  if (refusal.acrValues) body.acr_values = refusal.acrValues;
  if (refusal.maxAge !== undefined) body.max_age = refusal.maxAge;
  for (const [k, v] of Object.entries(refusal.fields)) if (v !== undefined) body[k] = v;
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', 'Content-Type': 'application/json' };
  const challenge = challengeHeader(refusal, ctx);
  if (challenge) headers['WWW-Authenticate'] = challenge;
  return { status: refusal.status, headers, body };
}

export function refusalResponse(refusal: Refusal, ctx: ChallengeContext): Response {
  const { status, headers, body } = refusalAnswer(refusal, ctx);
  return new Response(JSON.stringify(body), { status, headers });
}
