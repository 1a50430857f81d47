// Per-route decisions from Leash's policy decision point over OpenID AuthZEN Authorization API 1.0
// (§6 Access Evaluation API: POST {pdp}/access/v1/evaluation; the endpoint from the PDP metadata at
// /.well-known/authzen-configuration, §9). The subject is the agent acting for the user, the action
// and resource are this API's own names (declared when the resource was registered), the context
// carries what the route reads from the request (an amount...), the agent's intent and the caller's
// address. The answer is `decision` (§6.2) and a `context` with Leash's reasons: a `false` decision
// is a plain deny, or, when the context says so, a step-up (RFC 9470) or the person's approval.

export type Entity = { type: string; id: string; properties?: Record<string, unknown> };

export type EvaluationRequest = {
  subject: Entity;
  action: { name: string; properties?: Record<string, unknown> };
  resource: Entity;
  context?: Record<string, unknown>;
};

export type PolicyOutcome =
  | { kind: 'allow'; reason?: string; rule?: string }
  | { kind: 'deny'; reason: string; rule?: string }
  | { kind: 'step_up'; reason: string; rule?: string; acrValues?: string; maxAge?: number }
  | { kind: 'approval'; reason: string; rule?: string; approvalUri?: string; requiredScope?: string; backchannelEndpoint?: string }
  /** No decision could be made about this subject (AuthZEN §7.2.1 error context): 401 the token is not active for us. */
  | { kind: 'error'; status: number; reason: string };

export class PdpUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PdpUnavailable';
  }
}

const text = (v: unknown): string | undefined => {
  if (typeof v === 'string' && v) return v;
  // AuthZEN §6.2.1's example reasons are objects keyed by language: take English, else the first.
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return text(o.en) ?? text(o.reason) ?? text(o.text) ?? Object.values(o).map(text).find(Boolean);
  }
  return undefined;
};

/**
 * The subject of an evaluation: the agent acting for the user, named by the access token the API
 * received (Leash's subject type "token", docs/authzen.md): Leash reads the user, the agent, the
 * scopes, the assurance (acr) and whether it is a just-in-time token from it, so a step-up or an
 * approval the person gave counts. Only a resource in the token's audience may ask about it.
 */
export function tokenSubject(accessToken: string): Entity {
  return { type: 'token', id: accessToken };
}

/** Reads Leash's answer: `decision`, and in `context` the outcome, reason and rule. */
export function readDecision(body: unknown): PolicyOutcome {
  if (!body || typeof body !== 'object' || typeof (body as { decision?: unknown }).decision !== 'boolean') throw new PdpUnavailable('the PDP answered without a boolean decision');
  const { decision, context = {} } = body as { decision: boolean; context?: Record<string, unknown> };
  const ctx = (context && typeof context === 'object' ? context : {}) as Record<string, unknown>;
  const reason = text(ctx.reason) ?? text(ctx.reason_user) ?? text(ctx.reason_admin);
  const rule = text(ctx.policy_rule) ?? text(ctx.rule) ?? text(ctx.rule_id) ?? text((ctx.reason_admin as Record<string, unknown> | undefined)?.rule);
  if (decision) return { kind: 'allow', reason, rule };
  const error = ctx.error && typeof ctx.error === 'object' ? (ctx.error as { status?: unknown; message?: unknown }) : undefined;
  if (error) return { kind: 'error', status: typeof error.status === 'number' ? error.status : 403, reason: text(error.message) ?? 'no decision could be made' };
  const outcome = text(ctx.outcome) ?? text(ctx.decision) ?? text(ctx.required);
  if (outcome === 'step_up' || outcome === 'insufficient_user_authentication' || ctx.acr_values !== undefined) {
    return {
      kind: 'step_up',
      reason: reason ?? 'a stronger authentication of the person is needed',
      rule,
      acrValues: text(ctx.acr_values),
      maxAge: typeof ctx.max_age === 'number' ? ctx.max_age : undefined,
    };
  }
  if (outcome === 'approval' || outcome === 'approval_required') {
    return {
      kind: 'approval',
      reason: reason ?? "the person's approval is needed",
      rule,
      approvalUri: text(ctx.approval_uri) ?? text(ctx.approval_url),
      requiredScope: text(ctx.required_scope),
      backchannelEndpoint: text(ctx.backchannel_authentication_endpoint),
    };
  }
  return { kind: 'deny', reason: reason ?? "denied by the person's policy", rule };
}

export async function evaluate(options: { endpoint: string; authorization: string; request: EvaluationRequest; fetch: typeof fetch; timeoutMs: number }): Promise<PolicyOutcome> {
  let response: Response;
  try {
    response = await options.fetch(options.endpoint, {
      method: 'POST',
      headers: { Authorization: options.authorization, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(options.request),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new PdpUnavailable('the PDP did not answer', { cause: error });
  }
  if (!response.ok) throw new PdpUnavailable(`the PDP answered HTTP ${response.status}: ${(await response.text().catch(() => '')).slice(0, 300)}`);
  return readDecision(await response.json().catch(() => null));
}
