// What Shared Signals events revoke (OpenID CAEP 1.0 `session-revoked`, `token-claims-change`; the
// subject as RFC 9493 subject identifiers or SSF's `complex` subject). An event names a token (its
// `jti`), a grant (`grant_id`: the person's consent of one agent), an agent (`client_id`), a user
// (`sub`) or an agent acting for a user. The verifier
// - drops the cached introspection answers it matches (the next request asks Leash again), and
// - refuses JWT access tokens it matches that were issued at or before the event (`iat` ≤ the
//   event's time): a JWT cannot be asked about, so the event is remembered for as long as a token
//   issued before it can live (`memorySeconds`, at least the longest access token lifetime).

import type { AccessTokenClaims } from './token-claims.js';

/** One subject, reduced to the identifiers it names. A field left out matches anything. */
export type RevokedSubject = { tokenOrGrant?: string; clientId?: string; userId?: string; any?: string };

export type Revocation = { subject: RevokedSubject; at: number; reason: string };

const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** The identifier of one RFC 9493 subject: opaque `id`, `iss_sub`'s `sub`, `jwt_id`'s `jti`, an email, a URI. */
function identifierOf(subject: Record<string, unknown>): string | undefined {
  return s(subject.id) ?? s(subject.jti) ?? s(subject.sub) ?? s(subject.uri) ?? s(subject.email);
}

/**
 * SSF §3.2 subjects: a simple subject names one thing (a token, a grant, an agent); a `complex`
 * one has members: `session` (the grant or token), `application` (the agent), `user`. The most
 * specific members decide: a session, else an application for a user, else the user.
 */
export function revokedSubject(subject: unknown): RevokedSubject | null {
  if (!subject || typeof subject !== 'object') return null;
  const sub = subject as Record<string, unknown>;
  const member = (name: string) => (sub[name] && typeof sub[name] === 'object' ? identifierOf(sub[name] as Record<string, unknown>) : undefined);
  if (sub.format === 'complex' || ['session', 'application', 'user'].some((m) => sub[m] && typeof sub[m] === 'object')) {
    const session = member('session');
    if (session) return { tokenOrGrant: session };
    const clientId = member('application') ?? member('client');
    const userId = member('user');
    if (!clientId && !userId) return null;
    return { clientId, userId };
  }
  const id = identifierOf(sub);
  return id ? { any: id } : null;
}

export function matchesSubject(subject: RevokedSubject, claims: AccessTokenClaims): boolean {
  if (subject.any !== undefined) return [claims.jti, claims.grant_id, claims.client_id].includes(subject.any);
  if (subject.tokenOrGrant !== undefined) return claims.jti === subject.tokenOrGrant || claims.grant_id === subject.tokenOrGrant;
  if (subject.clientId !== undefined && claims.client_id !== subject.clientId) return false;
  if (subject.userId !== undefined && claims.sub !== subject.userId) return false;
  return subject.clientId !== undefined || subject.userId !== undefined;
}

export class RevocationList {
  readonly #entries: (Revocation & { forgetAt: number })[] = [];

  constructor(
    private readonly memorySeconds: number,
    private readonly maxEntries = 100_000,
  ) {}

  add(revocation: Revocation): void {
    const now = Date.now();
    this.#sweep(now);
    // Full (an event storm): the oldest is forgotten first; a JWT it named lives at most its lifetime.
    if (this.#entries.length >= this.maxEntries) this.#entries.shift();
    this.#entries.push({ ...revocation, forgetAt: now + this.memorySeconds * 1000 });
  }

  /** The revocation that refuses these claims, if any: a match issued at or before the event. */
  revoking(claims: AccessTokenClaims): Revocation | undefined {
    this.#sweep(Date.now());
    // A token without iat is taken as issued before the event (fail closed).
    return this.#entries.find((r) => matchesSubject(r.subject, claims) && (claims.iat === undefined || claims.iat <= r.at));
  }

  #sweep(now: number) {
    while (this.#entries.length && this.#entries[0]!.forgetAt <= now) this.#entries.shift();
  }

  get size(): number {
    return this.#entries.length;
  }
}
