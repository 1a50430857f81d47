// RFC 9068 JWT access tokens, for protected resources that ask for them (tokenFormat `jwt`,
// lib/protected-resources/registry.ts): a resource server can check one with nothing but the
// issuer's JWKS. It is still a Token row (the SHA-256 of the whole JWT, `jti` its id), so
// revocation, the kill switch, the Tokens screen and introspection treat it like an opaque one;
// a verifier that does not introspect learns of a revocation only through Shared Signals.
import 'server-only';
import { SignJWT, type JWTPayload } from 'jose';
import { ensureSigningKey, type KeyReader } from '@/lib/keys/ensure-signing-key';
import { formatScope } from '@/lib/scopes/scopes';
import type { TokenSubject } from '@/lib/tokens/issue-access-token';

/** RFC 9068 §2.1: the `typ` header of a JWT access token (media type application/at+jwt). */
export const JWT_ACCESS_TOKEN_TYP = 'at+jwt';
/** What the Tokens screen shows of a JWT access token (every JWS in compact form starts so). */
export const JWT_ACCESS_TOKEN_PREFIX = 'eyJ';
/** Longer than any token Leash signs (a few hundred bytes; authorization details make it grow). */
const MAX_LENGTH = 16_384;

export type JwtAccessTokenInput = {
  issuer: string;
  /** The Token row's id. */
  tokenId: string;
  /** The agent's OAuth client_id. */
  clientId: string;
  subject: TokenSubject;
  issuedAt: Date;
  expiresAt: Date;
};

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * The claims (RFC 9068 §2.2), the same facts introspection answers (lib/endpoints/oauth/introspect.ts).
 */
export function jwtAccessTokenClaims({ issuer, tokenId, clientId, subject, issuedAt, expiresAt }: JwtAccessTokenInput): JWTPayload {
  return {
    // §2.2 REQUIRED: iss, exp, aud, sub, client_id, iat, jti.
    iss: issuer,
    // §3 and RFC 8707 §2: the audience is exactly the resource the token was asked for.
    aud: subject.audience.length === 1 ? subject.audience[0] : [...subject.audience],
    // §2.2: the resource owner; with no user behind the token (client_credentials) the client
    // itself, as introspection answers.
    sub: subject.userId ?? clientId,
    client_id: clientId,
    iat: seconds(issuedAt),
    exp: seconds(expiresAt),
    jti: tokenId,
    // §2.2.3.1: scope as RFC 8693 §4.2 writes it, space-separated.
    scope: formatScope(subject.scopes),
    // §2.2.1: how and when the user authenticated, when known.
    ...(subject.authTime ? { auth_time: seconds(subject.authTime) } : {}),
    ...(subject.acr ? { acr: subject.acr } : {}),
    ...(subject.amr?.length ? { amr: [...subject.amr] } : {}),
    // RFC 8693 §4.1: the delegation chain (the current actor, earlier ones nested).
    ...(subject.actor ? { act: subject.actor as JWTPayload } : {}),
    // RFC 9449 §6.1: bound to the DPoP key with this thumbprint.
    ...(subject.dpopJkt ? { cnf: { jkt: subject.dpopJkt } } : {}),
    // RFC 9396 §9.1: the details the user consented to.
    ...(subject.authorizationDetails ? { authorization_details: subject.authorizationDetails } : {}),
    // Private claims (RFC 7519 §4.3), as introspection names them: what enforcement needs.
    ...(subject.grantId ? { grant_id: subject.grantId } : {}),
    ...(subject.policyVersion != null ? { policy_version: subject.policyVersion } : {}),
    ...(subject.jit ? { jit: true } : {}),
  };
}

/**
 * Signs the claims with the active key: ES256, `typ: at+jwt` (RFC 9068 §2.1), the key's `kid`.
 * `q`: the issuing transaction, through which the key is read when it is not cached.
 */
export async function signJwtAccessToken(claims: JWTPayload, q?: KeyReader): Promise<{ token: string; kid: string }> {
  const key = await ensureSigningKey(q);
  const token = await new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: JWT_ACCESS_TOKEN_TYP, kid: key.kid }).sign(key.privateKey);
  return { token, kid: key.kid };
}

/**
 * A cheap filter before any database lookup, like the opaque tokens' checksum: three base64url
 * parts whose header says it is one of ours (`typ: at+jwt`, RFC 9068 §4 step 1). The lookup by
 * hash decides the rest: only a JWT Leash issued has a row.
 */
export function isWellFormedJwtAccessToken(presented: string): boolean {
  if (presented.length > MAX_LENGTH || !/^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(presented)) return false;
  try {
    const header = JSON.parse(Buffer.from(presented.slice(0, presented.indexOf('.')), 'base64url').toString('utf8'));
    return header?.typ === JWT_ACCESS_TOKEN_TYP && typeof header.kid === 'string';
  } catch {
    return false;
  }
}
