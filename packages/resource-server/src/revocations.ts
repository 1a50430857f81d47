// What Shared Signals events revoke (OpenID CAEP 1.0 `session-revoked`, `token-claims-change`; the
// subject as RFC 9493 subject identifiers or SSF's `complex` subject). An event names a token (its
// `jti`), a grant (`grant_id`: the person's consent of one agent), an agent (`client_id`), a user
// (`sub`) or an agent acting for a user. The verifier
// - drops the cached introspection answers it matches (the next request asks Leash again), and
// - refuses JWT access tokens it matches that were issued at or before the event (`iat` ≤ the
//   event's time): a JWT cannot be asked about, so the event is remembered for as long as a token
//   issued before it can live (`memorySeconds`, at least the longest access token lifetime).

import type { AccessTokenClaims } from './token-claims.js';

/** One subject, reduced to the identifiers it names; every member given must match. */
export type RevokedSubject = { jti?: string; grantId?: string; clientId?: string; userId?: string; any?: string };

/** `revoked`: the tokens are dead (session-revoked). `changed`: cached answers are stale, the tokens live on (token-claims-change). */
export type Revocation = { subject: RevokedSubject; at: number; reason: string; kind: 'revoked' | 'changed' };

const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** The identifier of one RFC 9493 subject: opaque `id`, `iss_sub`'s `sub`, `jwt_id`'s `jti`, an email, a URI. */
function identifierOf(subject: Record<string, unknown>): string | undefined {
  return s(subject.id) ?? s(subject.jti) ?? s(subject.sub) ?? s(subject.uri) ?? s(subject.email);
}

/**
 * SSF §3.3 subjects, as Leash sends them (docs/shared-signals.md "Subjects"): a `complex` subject
 * with `token` (jwt_id: the token's jti), `session` (the grant), `application` (the agent's
 * client_id) and `user` (iss_sub: the user). A revocation takes the most specific member: the
 * token, else the grant, else the agent for the user. A claims change concerns the agent for the
 * user (their policy changed): every cached answer of theirs. A simple subject names one identifier.
 */
export function revokedSubject(subject: unknown, kind: Revocation['kind']): RevokedSubject | null {
  if (!subject || typeof subject !== 'object') return null;
  const sub = subject as Record<string, unknown>;
  const member = (name: string) => (sub[name] && typeof sub[name] === 'object' ? identifierOf(sub[name] as Record<string, unknown>) : undefined);
  if (sub.format === 'complex' || ['token', 'session', 'application', 'user'].some((m) => sub[m] && typeof sub[m] === 'object')) {
    const clientId = member('application');
    const userId = member('user');
    if (kind === 'revoked') {
      const jti = member('token');
      if (jti) return { jti };
      const grantId = member('session');
      if (grantId) return { grantId };
    }
    if (!clientId && !userId) return null;
    return { clientId, userId };
  }
  const id = identifierOf(sub);
  return id ? { any: id } : null;
}

export function matchesSubject(subject: RevokedSubject, claims: AccessTokenClaims): boolean {
  if (subject.any !== undefined) return [claims.jti, claims.grant_id, claims.client_id].includes(subject.any);
  const checks: [string | undefined, string | undefined][] = [
    [subject.jti, claims.jti],
    [subject.grantId, claims.grant_id],
    [subject.clientId, claims.client_id],
    [subject.userId, claims.sub],
  ];
  const given = checks.filter(([want]) => want !== undefined);
  return given.length > 0 && given.every(([want, have]) => want === have);
}

export class RevocationList {
  readonly #entries: (Revocation & { forgetAt: number })[] = [];

  constructor(
    private readonly memorySeconds: number,
    private readonly maxEntries = 100_000,
  ) {}

  add(revocation: Revocation): void {
    if (revocation.kind !== 'revoked') return;
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
