// A queued event as a Security Event Token (RFC 8417), profiled by SSF 1.0 §4.1: explicitly typed
// `secevent+jwt` (§4.1.1), no `sub` (§4.1.2) and no `exp` (§4.1.7), `iss` the issuer (§4.1.6),
// `aud` the stream's audience (§4.1.8), `txn` the transaction that made the change (§4.1.9), one
// event in `events` (§4.2.1), and `sub_id` (§3.1) a complex subject (§3.3) whose members are the
// identifiers introspection gives a resource server (docs/shared-signals.md, "Subjects").
// Signed ES256 with the authorization server's current key (published at jwks_uri, §4.1.4).
import 'server-only';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { ensureSigningKey } from '@/lib/keys/ensure-signing-key';
import { EVENT_TYPE_URIS, type EventType } from '@/lib/ssf/event-types';

/** RFC 8417 §2.3: the media type of a SET, and its JOSE `typ`. */
export const SET_TYP = 'secevent+jwt';

/** What the triggers (migration ssf_streams) and the verification request store in `facts`. */
const factsSchema = z.object({
  token_id: z.string().nullish(),
  grant_id: z.string().nullish(),
  client_id: z.string().nullish(),
  user_id: z.string().nullish(),
  reason: z.string().nullish(),
  claims: z.record(z.string(), z.unknown()).nullish(),
  stream_id: z.string().nullish(),
  state: z.string().nullish(),
});
export type EventFacts = z.infer<typeof factsSchema>;

export type QueuedEvent = { id: string; eventType: string; facts: unknown; txn: string; createdAt: Date };

type SubjectIdentifier = Record<string, string>;

/** SSF §3.3 complex subject from the ids the change named; the verification event's is the stream (§8.1.4.1). */
export function subjectOf(eventType: EventType, facts: EventFacts, issuer: string): Record<string, string | SubjectIdentifier> {
  if (eventType === 'verification') return { format: 'opaque', id: String(facts.stream_id) };
  return {
    format: 'complex',
    // SSF §3.5.1: the token by its `jti` (introspection's `jti`, a JWT access token's `jti`).
    ...(facts.token_id ? { token: { format: 'jwt_id', iss: issuer, jti: facts.token_id } } : {}),
    // RFC 9493 §3.2.4 opaque: the grant (introspection's `grant_id`) is the session the agent holds.
    ...(facts.grant_id ? { session: { format: 'opaque', id: facts.grant_id } } : {}),
    // The agent, by its client_id.
    ...(facts.client_id ? { application: { format: 'opaque', id: facts.client_id } } : {}),
    // RFC 9493 §3.2.3 iss_sub: the user (introspection's `sub`); none for an agent acting as itself.
    ...(facts.user_id ? { user: { format: 'iss_sub', iss: issuer, sub: facts.user_id } } : {}),
  };
}

/** The event object (CAEP §2 optional claims, §3.1/§3.2 event claims; SSF §8.1.4.1 `state`). */
function eventOf(eventType: EventType, facts: EventFacts, at: number): Record<string, unknown> {
  if (eventType === 'verification') return facts.state ? { state: facts.state } : {};
  return {
    event_timestamp: at,
    ...(facts.reason ? { reason_admin: { en: facts.reason } } : {}),
    ...(eventType === 'token-claims-change' ? { claims: facts.claims ?? {} } : {}),
  };
}

function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_TYPE_URIS, value);
}

/** The SET's claims for one queued event on a stream whose audience is `audience`. */
export function setClaims(event: QueuedEvent, options: { issuer: string; audience: string }): Record<string, unknown> {
  if (!isEventType(event.eventType)) throw new Error(`unknown SSF event type ${event.eventType}`);
  const facts = factsSchema.parse(event.facts);
  const at = Math.floor(event.createdAt.getTime() / 1000);
  return {
    iss: options.issuer,
    aud: options.audience,
    jti: event.id,
    iat: at,
    txn: event.txn,
    sub_id: subjectOf(event.eventType, facts, options.issuer),
    events: { [EVENT_TYPE_URIS[event.eventType]]: eventOf(event.eventType, facts, at) },
  };
}

/** The signed SET (compact JWS). A retry signs the same claims again: same `jti`, same `iat`. */
export async function signSecurityEventToken(claims: Record<string, unknown>): Promise<string> {
  const key = await ensureSigningKey();
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: SET_TYP }).sign(key.privateKey);
}
