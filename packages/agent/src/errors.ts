// Typed errors of @leash/agent. Every error the SDK throws on purpose is a LeashError with a
// `code`; protocol refusals keep the server's RFC error code and description. A caller tells them
// apart with `instanceof` (or `code`), never by parsing messages.

export class LeashError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The authorization server answered with an OAuth error (RFC 6749 §5.2, RFC 7591 §3.2.2, CIBA §13). */
export class OAuthProtocolError extends LeashError {
  constructor(
    readonly error: string,
    readonly description: string | undefined,
    readonly status: number,
  ) {
    super(error, description ? `${error}: ${description}` : `${error} (HTTP ${status})`);
  }
}

/** Discovery failed: no metadata, or metadata that does not name the expected issuer/resource (RFC 8414 §3.3, RFC 9728 §3.3). */
export class DiscoveryError extends LeashError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('discovery_failed', message, options);
  }
}

/** The user refused at the authorization endpoint, or the callback was not ours (RFC 6749 §4.1.2.1, RFC 9207). */
export class AuthorizationError extends LeashError {}

/**
 * The session is over: the access token was refused as `invalid_token` and no refresh could replace
 * it (revoked in the dashboard, kill switch, logout, refresh family ended). The SDK stops here and
 * never retries in a loop; the agent must connect again (a person has to consent again).
 */
export class SessionEndedError extends LeashError {
  constructor(description: string, options?: { cause?: unknown }) {
    super('session_ended', `The Leash session has ended: ${description}`, options);
  }
}

/** The person denied the just-in-time approval (CIBA Core §11 access_denied). */
export class ApprovalDeniedError extends LeashError {
  constructor(readonly bindingMessage: string) {
    super('access_denied', `The user denied the request: ${bindingMessage}`);
  }
}

/** Nobody decided in time (CIBA Core §11 expired_token). */
export class ApprovalExpiredError extends LeashError {
  constructor(readonly bindingMessage: string) {
    super('expired_token', `The approval request expired before the user decided: ${bindingMessage}`);
  }
}

/** The device code expired or the person denied it (RFC 8628 §3.5). */
export class DeviceFlowError extends LeashError {}
