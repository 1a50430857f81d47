// The one protocol error type (STYLE habit 3). Codes are the closed set the RFCs define; the
// description is safe to show the client; internal detail goes to the log, never the response.
import 'server-only';
import { isDatabaseUnavailable } from '@/lib/db/is-database-unavailable';
import { log } from '@/lib/log/logger';
import { ClockSkewError } from '@/lib/clock/trusted-clock';
import { jsonAnswer } from '@/lib/http/json-answer';

export type OAuthErrorCode =
  // RFC 6749 §5.2 (token endpoint) and §4.1.2.1 (authorization endpoint)
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  // RFC 6750 §3.1 (bearer tokens: the registration initial access token)
  | 'invalid_token'
  // RFC 7009 §2.2.1
  | 'unsupported_token_type'
  // RFC 7591 §3.2.2
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  // RFC 8707 §2
  | 'invalid_target'
  // OpenID Connect Core §3.1.2.6 / RFC 9101 §6.3: request objects
  | 'request_not_supported'
  // RFC 9396 §5
  | 'invalid_authorization_details'
  // prompt=none outcomes (OpenID Connect Core §3.1.2.6, used by OAuth servers generally)
  | 'login_required'
  | 'consent_required'
  // RFC 8628 §3.5 (device flow polling)
  | 'authorization_pending'
  | 'expired_token'
  // OpenID CIBA Core §13 (backchannel authentication endpoint)
  | 'unknown_user_id'
  | 'invalid_binding_message'
  // RFC 9449 §5 and §8 (DPoP)
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  // Rate limits (no RFC code; RFC 6585 status 429)
  | 'slow_down';

const STATUS: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  server_error: 500,
  temporarily_unavailable: 503,
  slow_down: 429,
};

/**
 * RFC 6749 §5.2 and §4.1.2.1: error_description is human-readable ASCII. Descriptions often quote
 * what the client sent (a scope, a URL), so anything else is replaced and the text is bounded:
 * client input is never reflected verbatim or at any length.
 */
const MAX_DESCRIPTION = 300;
function asciiDescription(text: string): string {
  // Our own descriptions cite RFC sections with "§": spelled out rather than lost as "?".
  const ascii = text.replace(/§/g, 'section ').replace(/[^\x20-\x7E]/g, '?');
  return ascii.length > MAX_DESCRIPTION ? `${ascii.slice(0, MAX_DESCRIPTION - 3)}...` : ascii;
}

export class OAuthError extends Error {
  readonly description: string;

  constructor(
    readonly code: OAuthErrorCode,
    description: string,
    readonly options: { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(`${code}: ${description}`);
    this.description = asciiDescription(description);
  }

  get status(): number {
    return this.options.status ?? STATUS[this.code] ?? 400;
  }
}

/** RFC 6749 §5.1/§5.2: every token-endpoint style response is uncacheable. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function oauthJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return jsonAnswer(body, { status: init.status ?? 200, headers: { ...NO_STORE, ...init.headers } });
}

/** Serialises an OAuthError; a database outage becomes temporarily_unavailable (503), anything else a bare server_error (500), logged. */
export function oauthErrorResponse(error: unknown): Response {
  if (!(error instanceof OAuthError)) {
    if (error instanceof ClockSkewError) {
      // Expiries cannot be decided on a clock that jumped (lib/clock/trusted-clock.ts): fail closed.
      log('oauth').error({ err: error }, 'clock untrusted');
      error = new OAuthError('temporarily_unavailable', 'The authorization server cannot decide this request right now. Try again shortly.', { headers: { 'Retry-After': '5' } });
    } else if (isDatabaseUnavailable(error)) {
      // Fail closed and say so: nothing was issued or changed; retrying later is the remedy. A
      // direct response may be 503 with Retry-After (RFC 9110 §15.6.4, §10.2.3; RFC 7009 §2.2.1),
      // carrying the registered code temporarily_unavailable (RFC 6749 §4.1.2.1).
      log('oauth').error({ err: error }, 'database unavailable');
      error = new OAuthError('temporarily_unavailable', 'The authorization server cannot reach its database. Try again shortly.', { headers: { 'Retry-After': '5' } });
    } else {
      log('oauth').error({ err: error }, 'unexpected error');
      error = new OAuthError('server_error', 'The authorization server hit an unexpected condition.');
    }
  }
  const e = error as OAuthError;
  return oauthJson({ error: e.code, error_description: e.description }, { status: e.status, headers: e.options.headers });
}
