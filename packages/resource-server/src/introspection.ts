// Validating an opaque access token by asking Leash (RFC 7662 §2.1): the resource server
// authenticates with its own credentials (HTTP Basic, RFC 6749 §2.3.1; client_secret_basic), and
// Leash answers `active: true` only for tokens whose audience includes this resource (§2.2).
// Answers are cached briefly to spare a round trip per request (§4: a cache trades freshness for
// speed): at most `ttlSeconds`, never beyond the token's `exp`, bounded in size, and dropped for the
// tokens a Shared Signals event names (see revocations.ts), so revocation still arrives at once.
// Inactive answers are not cached: a token that becomes valid is not refused for long, and a
// flood of random tokens does not evict the good entries.
import crypto from 'node:crypto';
import { TtlCache } from './ttl-cache.js';
import { toClaims, type AccessTokenClaims } from './token-claims.js';

export type IntrospectionOptions = {
  endpoint: () => Promise<string>;
  clientId: string;
  clientSecret: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Seconds an active answer is kept (0: no cache). */
  ttlSeconds: number;
  maxEntries: number;
};

export class IntrospectionUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IntrospectionUnavailable';
  }
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined and base64'd. */
export function basicAuthorization(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

/** The cache key: the token's hash, so the cache never holds a usable token. */
export const tokenKey = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');

export class Introspector {
  readonly cache: TtlCache<AccessTokenClaims>;
  /** Bumped by every revocation event: an answer fetched across an event is not cached. */
  #generation = 0;

  constructor(private readonly options: IntrospectionOptions) {
    this.cache = new TtlCache(options.maxEntries);
  }

  /** Drops the cached answers a revocation names; later requests ask Leash again. */
  dropWhere(matches: (claims: AccessTokenClaims) => boolean): number {
    this.#generation++;
    return this.cache.deleteWhere(matches);
  }

  /** The token's claims when Leash says it is active for this resource, else null. */
  async introspect(token: string): Promise<AccessTokenClaims | null> {
    const key = tokenKey(token);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const generation = this.#generation;
    const endpoint = await this.options.endpoint();
    let response: Response;
    try {
      response = await this.options.fetch(endpoint, {
        method: 'POST',
        headers: {
          Authorization: basicAuthorization(this.options.clientId, this.options.clientSecret),
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        // RFC 7662 §2.1: token, and the hint that it is an access token.
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new IntrospectionUnavailable('the introspection endpoint did not answer', { cause: error });
    }
    if (response.status === 401) throw new IntrospectionUnavailable("the introspection endpoint refused this resource server's credentials (invalid_client)");
    if (!response.ok) throw new IntrospectionUnavailable(`the introspection endpoint answered HTTP ${response.status}`);
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') throw new IntrospectionUnavailable('the introspection endpoint answered no JSON object');
    // §2.2: `active` is the one required member; anything but true means "do not accept it".
    if (body.active !== true) return null;
    const claims = toClaims('opaque', body);
    if (!claims) return null;
    const now = Date.now();
    if (claims.exp * 1000 <= now) return null;
    if (this.options.ttlSeconds > 0 && generation === this.#generation) {
      this.cache.set(key, claims, Math.min(now + this.options.ttlSeconds * 1000, claims.exp * 1000));
    }
    return claims;
  }
}
