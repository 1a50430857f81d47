// The resource server's refusals (issue 13, REVIEW W3): one type for every way /api/v1 and /mcp say
// no, on the pattern of OAuthError (lib/oauth/errors.ts). The codes are a closed set; the
// description is safe to send; `debug` and `cause` are logged, never sent. One serializer,
// `refusalResponse`, writes the JSON body and the challenge the RFC asks for, through the challenge
// builders of lib/resource/challenge.ts:
// - Bearer (RFC 6750 §3), with RFC 9728 §5.1 `resource_metadata`; without credentials, no error code;
// - DPoP (RFC 9449 §7.1), with the accepted algorithms and a fresh `DPoP-Nonce`;
// - step-up (RFC 9470 §3), naming the assurance to get.
// Every answer is `Cache-Control: no-store`.
import 'server-only';
import { bearerChallenge, dpopChallenge, stepUpChallenge, type ResourceName } from '@/lib/resource/challenge';
import { currentDpopNonce } from '@/lib/oauth/dpop/verify-dpop-proof';
import { log } from '@/lib/log/logger';
import { jsonAnswer } from '@/lib/http/json-answer';

export type ResourceRefusalCode =
  // RFC 6750 §3: no credentials at all (the challenge then carries no error code)
  | 'unauthorized'
  // RFC 6750 §3.1
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  // RFC 9449 §7.1 (DPoP)
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  // RFC 9470 §3 (step-up)
  | 'insufficient_user_authentication'
  // The agent's policy: denied, or only with the user's approval (OpenID CIBA, lib/endpoints/oauth/bc-authorize.ts)
  | 'access_denied'
  | 'approval_required'
  // The agent's rate limit or quota (RFC 6585 §4 status 429; OAuth's token endpoint says slow_down)
  | 'rate_limited'
  // The workspace: no such item, or a change that conflicts with its state
  | 'not_found'
  | 'conflict'
  // Failing closed: the call could not be decided or recorded
  | 'temporarily_unavailable'
  // Only where responses are checked (development and tests): an answer outside its output schema
  | 'server_error';

export type Challenge =
  { scheme: 'Bearer'; resource: ResourceName; scopeHint?: string } | { scheme: 'DPoP'; resource: ResourceName } | { scheme: 'step-up'; resource: ResourceName; acrValues: string };

export class ResourceRefusal extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;
  readonly challenge?: Challenge;
  /** With insufficient_scope: every scope the operation needs (body and challenge). */
  readonly scope?: string;
  /** Extension fields of the body, after `error_description` (RFC 6749 §8.5 style). */
  readonly fields: Record<string, string | undefined>;
  readonly headers: Record<string, string>;
  /** Server-side detail: logged, never sent. */
  readonly debug?: string;

  constructor(
    readonly code: ResourceRefusalCode,
    readonly description: string,
    options: {
      status: ResourceRefusal['status'];
      challenge?: Challenge;
      scope?: string;
      fields?: Record<string, string | undefined>;
      headers?: Record<string, string>;
      debug?: string;
      cause?: unknown;
    },
  ) {
    super(description, { cause: options.cause });
    this.name = 'ResourceRefusal';
    this.status = options.status;
    this.challenge = options.challenge;
    this.scope = options.scope;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
    this.debug = options.debug;
  }
}

/** The HTTP answer of a refusal (the MCP endpoint sends the same; its tools read the body). */
export function refusalResponse(refusal: ResourceRefusal): Response {
  if (refusal.debug !== undefined || refusal.cause !== undefined) {
    log('resource').error({ error_code: refusal.code, debug: refusal.debug, err: refusal.cause }, 'refused');
  }
  const { code, description, challenge } = refusal;
  const body = { error: code, error_description: description, ...(refusal.scope ? { scope: refusal.scope } : {}), ...refusal.fields };
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (challenge?.scheme === 'Bearer') {
    headers['WWW-Authenticate'] = bearerChallenge(challenge.resource, code === 'unauthorized' ? undefined : { code, description, scope: refusal.scope }, challenge.scopeHint);
  } else if (challenge?.scheme === 'DPoP') {
    headers['WWW-Authenticate'] = dpopChallenge(challenge.resource, { code, description });
    headers['DPoP-Nonce'] = currentDpopNonce();
  } else if (challenge?.scheme === 'step-up') {
    headers['WWW-Authenticate'] = stepUpChallenge(challenge.resource, { code, description, acrValues: challenge.acrValues });
  }
  return jsonAnswer(body, { status: refusal.status, headers: { ...headers, ...refusal.headers } });
}
