// The Shared Signals receiver (OpenID Shared Signals Framework 1.0, push delivery RFC 8935): the
// resource server registers a stream with Leash (SSF §8.1.1, authenticated with its own
// credentials, HTTP Basic), giving its push endpoint and a secret Leash sends back in the
// `Authorization` header of each delivery; Leash POSTs each Security Event Token (RFC 8417) there.
// A SET is accepted only if it is a JWT of `typ` `secevent+jwt` (RFC 8417 §2.3), signed with a key
// of Leash's JWKS, from the issuer (`iss`) and for this resource (`aud`). The CAEP events that
// revoke (`session-revoked`, and `token-claims-change`, after which a cached answer is stale) go to
// the revocation list (revocations.ts). Answers are RFC 8935 §2.2/§2.3: 202, or 400 with `err`.
import crypto from 'node:crypto';
import * as jose from 'jose';
import { revokedSubject, type Revocation } from './revocations.js';

export const CAEP = {
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  tokenClaimsChange: 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change',
} as const;
export const SSF_VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
/** RFC 8935 is the push delivery method. */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';

/** RFC 8935 §2.3 error codes. */
export type SetErrorCode = 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed' | 'access_denied';

export class SetRejected extends Error {
  constructor(
    readonly err: SetErrorCode,
    description: string,
  ) {
    super(description);
    this.name = 'SetRejected';
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { en?: unknown }).en === 'string' ? (v as { en: string }).en : undefined);

export type ReceivedSet = { jti: string; events: string[]; revocations: Revocation[] };

export type SetVerifierOptions = { issuer: string; audience: string; jwksUri: () => Promise<string>; fetch?: typeof fetch };

export function createSetVerifier(options: SetVerifierOptions) {
  let jwks: ReturnType<typeof jose.createRemoteJWKSet> | undefined;
  return async (set: string): Promise<ReceivedSet> => {
    jwks ??= jose.createRemoteJWKSet(new URL(await options.jwksUri()), { cooldownDuration: 5_000, ...(options.fetch ? { [jose.customFetch]: options.fetch } : {}) });
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(set, jwks, { typ: 'secevent+jwt', algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] }));
    } catch (error) {
      if (error instanceof jose.errors.JWKSNoMatchingKey || error instanceof jose.errors.JWSSignatureVerificationFailed)
        throw new SetRejected('invalid_key', 'The SET is not signed with a key of the issuer.');
      throw new SetRejected('invalid_request', 'The SET is not a valid signed secevent+jwt.');
    }
    if (payload.iss !== options.issuer) throw new SetRejected('invalid_issuer', 'The SET is from another issuer.');
    const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    if (!aud.includes(options.audience)) throw new SetRejected('invalid_audience', 'The SET is not for this resource.');
    if (typeof payload.jti !== 'string' || !payload.events || typeof payload.events !== 'object') throw new SetRejected('invalid_request', 'The SET needs jti and events (RFC 8417 §2.2).');
    const events = payload.events as Record<string, Record<string, unknown>>;
    const revocations: Revocation[] = [];
    for (const [type, event] of Object.entries(events)) {
      if (type !== CAEP.sessionRevoked && type !== CAEP.tokenClaimsChange) continue;
      // SSF 1.0 puts the subject in `sub_id` (a top-level claim); CAEP drafts had it in the event.
      const kind = type === CAEP.sessionRevoked ? 'revoked' : 'changed';
      const subject = revokedSubject((payload as Record<string, unknown>).sub_id ?? event?.subject, kind);
      if (!subject) continue;
      // CAEP §2: event_timestamp in seconds (NumericDate); without it, the SET's iat.
      const at = typeof event?.event_timestamp === 'number' ? event.event_timestamp : (payload.iat ?? Math.floor(Date.now() / 1000));
      const why = text(event?.reason_admin);
      revocations.push({ subject, at, kind, reason: `${kind === 'revoked' ? 'session revoked' : 'token claims changed'}${why ? `: ${why}` : ''}` });
    }
    return { jti: payload.jti, events: Object.keys(events), revocations };
  };
}

/** Compares the delivery's Authorization header with the secret given at registration, in constant time. */
export function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export type StreamRegistration = { streamId: string; authorizationHeader: string };

/**
 * SSF §8.1.1 stream creation: POST the configuration endpoint (from `/.well-known/ssf-configuration`,
 * SSF §7.1) with push delivery to `endpointUrl` and the events wanted.
 */
export async function registerStream(options: {
  issuer: string;
  endpointUrl: string;
  clientAuthorization: string;
  fetch: typeof fetch;
  timeoutMs: number;
  description?: string;
}): Promise<StreamRegistration> {
  const issuer = new URL(options.issuer);
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  const configResponse = await options.fetch(`${issuer.origin}/.well-known/ssf-configuration${path}`, { signal: AbortSignal.timeout(options.timeoutMs) });
  if (!configResponse.ok) throw new Error(`Shared Signals configuration: HTTP ${configResponse.status}`);
  const config = (await configResponse.json()) as { issuer?: string; configuration_endpoint?: string };
  if (config.issuer !== options.issuer || !config.configuration_endpoint) throw new Error('Shared Signals configuration: wrong issuer or no configuration_endpoint');
  // A random secret of ours that Leash sends back with each delivery (SSF §8.1.1 authorization_header).
  const authorizationHeader = `Bearer ${crypto.randomBytes(32).toString('base64url')}`;
  const send = (method: string, url: string, body?: unknown) =>
    options.fetch(url, {
      method,
      headers: { Authorization: options.clientAuthorization, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  const delivery = { method: PUSH_DELIVERY, endpoint_url: options.endpointUrl, authorization_header: authorizationHeader };
  const events_requested = [CAEP.sessionRevoked, CAEP.tokenClaimsChange, SSF_VERIFICATION];
  let response = await send('POST', config.configuration_endpoint, { delivery, events_requested, description: options.description });
  if (response.status === 409) {
    // SSF §8.1.1.1: one stream per receiver, and this one has it already (a restart): read it
    // (§8.1.1.2) and point its delivery at us with the new secret (§8.1.1.3).
    const existing = await send('GET', config.configuration_endpoint);
    const listed = (await existing.json().catch(() => null)) as { stream_id?: string } | { stream_id?: string }[] | null;
    const streamId = (Array.isArray(listed) ? listed[0] : listed)?.stream_id;
    if (!existing.ok || !streamId) throw new Error(`Shared Signals stream registration: a stream exists but could not be read (HTTP ${existing.status})`);
    response = await send('PATCH', config.configuration_endpoint, { stream_id: streamId, delivery, events_requested, description: options.description });
  }
  const body = (await response.json().catch(() => ({}))) as { stream_id?: string; error?: string; error_description?: string };
  if (!response.ok || !body.stream_id) throw new Error(`Shared Signals stream registration: HTTP ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim());
  return { streamId: body.stream_id, authorizationHeader };
}
