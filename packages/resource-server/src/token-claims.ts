// What the verifier knows about a valid access token, whichever way it was validated
// (introspection, RFC 7662 §2.2; or a JWT access token, RFC 9068 §2.2): the same names as on the wire.

export type AccessTokenClaims = {
  /** How the token was validated. */
  format: 'opaque' | 'jwt';
  iss?: string;
  /** The user (RFC 9068 §2.2: for a client_credentials token, the client itself). */
  sub?: string;
  /** The agent (OAuth client). */
  client_id?: string;
  /** Granted scopes (RFC 6749 §3.3), split. */
  scopes: string[];
  aud: string[];
  /** Seconds since the epoch. */
  exp: number;
  iat?: number;
  jti?: string;
  /** RFC 9449 §6: the thumbprint of the key a DPoP-bound token is bound to. */
  cnf?: { jkt?: string };
  /** RFC 8693 §4.1: the actor chain. */
  act?: Record<string, unknown>;
  acr?: string;
  amr?: string[];
  auth_time?: number;
  /** Leash: the grant (the person's consent) the token belongs to, and the policy version it was issued under. */
  grant_id?: string;
  policy_version?: number | string;
  /** Leash: a just-in-time token, issued for one approved action (OpenID CIBA). */
  jit?: boolean;
  authorization_details?: unknown;
  /** Every member as received. */
  raw: Record<string, unknown>;
};

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Normalizes an introspection answer or a JWT's payload; null when a required member is missing. */
export function toClaims(format: AccessTokenClaims['format'], raw: Record<string, unknown>): AccessTokenClaims | null {
  const exp = num(raw.exp);
  if (exp === undefined) return null;
  const aud = typeof raw.aud === 'string' ? [raw.aud] : Array.isArray(raw.aud) ? raw.aud.filter((a): a is string => typeof a === 'string') : [];
  const cnf = raw.cnf && typeof raw.cnf === 'object' ? (raw.cnf as { jkt?: unknown }) : undefined;
  return {
    format,
    iss: str(raw.iss),
    sub: str(raw.sub),
    client_id: str(raw.client_id),
    scopes: (str(raw.scope) ?? '').split(' ').filter(Boolean),
    aud,
    exp,
    iat: num(raw.iat),
    jti: str(raw.jti),
    cnf: cnf ? { jkt: str(cnf.jkt) } : undefined,
    act: raw.act && typeof raw.act === 'object' ? (raw.act as Record<string, unknown>) : undefined,
    acr: str(raw.acr),
    amr: Array.isArray(raw.amr) ? raw.amr.filter((a): a is string => typeof a === 'string') : undefined,
    auth_time: num(raw.auth_time),
    grant_id: str(raw.grant_id),
    policy_version: typeof raw.policy_version === 'number' || typeof raw.policy_version === 'string' ? raw.policy_version : undefined,
    jit: raw.jit === true ? true : undefined,
    authorization_details: raw.authorization_details,
    raw,
  };
}
