// Validating a JWT access token locally (RFC 9068 §4): `typ` is `at+jwt` (§2.1, so an ID token or
// another JWT from the same keys is not taken for one), the signature verifies with a key from the
// issuer's JWKS (fetched and cached by jose's createRemoteJWKSet, refetched when an unknown `kid`
// appears: Leash publishes a new key before it signs with it), `iss` is the issuer, `aud` includes
// this resource, `exp` has not passed (a small clock tolerance). No round trip per request; the
// price is that revocation reaches the API only through Shared Signals (revocations.ts) or expiry.
import * as jose from 'jose';
import { toClaims, type AccessTokenClaims } from './token-claims.js';

/** RFC 9068 §2.1: asymmetric algorithms only (Leash signs ES256). */
export const JWT_ALGS = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'];

export type JwtVerifier = (token: string) => Promise<AccessTokenClaims>;

export class JwtInvalid extends Error {
  constructor(
    message: string,
    readonly jwksUnavailable = false,
  ) {
    super(message);
    this.name = 'JwtInvalid';
  }
}

/** A compact JWS whose header says it is a JWT access token (RFC 9068 §2.1). */
export function looksLikeJwtAccessToken(token: string): boolean {
  if (token.split('.').length !== 3) return false;
  try {
    const typ = jose.decodeProtectedHeader(token).typ;
    return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'at+jwt';
  } catch {
    return false;
  }
}

export function createJwtVerifier(options: { issuer: string; audience: string; jwksUri: () => Promise<string>; clockToleranceSeconds: number; fetch?: typeof fetch }): JwtVerifier {
  let jwks: ReturnType<typeof jose.createRemoteJWKSet> | undefined;
  return async (token) => {
    jwks ??= jose.createRemoteJWKSet(new URL(await options.jwksUri()), {
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      ...(options.fetch ? { [jose.customFetch]: options.fetch } : {}),
    });
    try {
      const { payload } = await jose.jwtVerify(token, jwks, {
        typ: 'at+jwt',
        issuer: options.issuer,
        audience: options.audience,
        algorithms: JWT_ALGS,
        clockTolerance: options.clockToleranceSeconds,
        // RFC 9068 §2.2: exp, iat, sub, client_id and jti are required.
        requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti'],
      });
      const claims = toClaims('jwt', payload as Record<string, unknown>);
      if (!claims) throw new JwtInvalid('The access token has no expiry.');
      return claims;
    } catch (error) {
      if (error instanceof JwtInvalid) throw error;
      if (error instanceof jose.errors.JWTExpired) throw new JwtInvalid('The access token has expired.');
      if (error instanceof jose.errors.JWTClaimValidationFailed && error.claim === 'typ') throw new JwtInvalid('The token is not a JWT access token (typ at+jwt).');
      if (error instanceof jose.errors.JWTClaimValidationFailed && error.claim === 'aud') throw new JwtInvalid('The access token is not for this resource.');
      if (error instanceof jose.errors.JWTClaimValidationFailed) throw new JwtInvalid(`The access token's ${error.claim} claim is not valid.`);
      // The keys could not be had (network, timeout, not a JWKS): fail closed, as unavailable rather than invalid.
      if (!(error instanceof jose.errors.JOSEError) || error instanceof jose.errors.JWKSTimeout || /JSON Web Key Set HTTP response/.test(error.message)) {
        throw new JwtInvalid("The issuer's keys could not be fetched.", true);
      }
      throw new JwtInvalid('The access token is not a valid JWT access token from this issuer.');
    }
  };
}
