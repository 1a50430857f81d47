// private_key_jwt (RFC 7523 §2.2 and §3, OpenID Connect Core §9): the client signs a short JWT
// with a key it registered. We check the signature against its registered JWKS, iss = sub =
// client_id, an audience naming this server, a near expiry, and a jti never seen before.
import 'server-only';
import crypto from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { db } from '@/lib/db/client';
import { getConfig } from '@/lib/config/config';
import { Prisma } from '@/lib/generated/prisma/client';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ALGORITHMS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'];
const MAX_LIFETIME_SECONDS = 300;

/** The client_id an assertion claims to be from (its `iss`/`sub`), before any verification. */
export function assertedClientId(assertion: string): string | undefined {
  try {
    const claims = decodeJwt(assertion);
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

export async function verifyClientAssertion(options: { assertion: string; clientId: string; jwks: unknown }): Promise<boolean> {
  const { issuer } = getConfig();
  const keys = options.jwks as JSONWebKeySet | null;
  if (!keys || !Array.isArray(keys.keys)) return false;
  let payload;
  try {
    ({ payload } = await jwtVerify(options.assertion, createLocalJWKSet(keys), {
      algorithms: ALGORITHMS,
      issuer: options.clientId,
      subject: options.clientId,
      // RFC 7523 §3: the audience identifies the authorization server; the token endpoint URL is
      // what most clients send, the issuer is what RFC 7523bis recommends.
      audience: [issuer, `${issuer}/oauth/token`, `${issuer}/oauth/par`, `${issuer}/oauth/introspect`, `${issuer}/oauth/revoke`],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: 5,
    }));
  } catch {
    return false;
  }
  const now = Math.floor(Date.now() / 1000);
  if (payload.exp! - now > MAX_LIFETIME_SECONDS) return false;
  if (typeof payload.jti !== 'string' || payload.jti.length > 256) return false;
  // Replay: a jti is accepted once per client; the primary key decides under concurrency.
  const id = crypto.createHash('sha256').update(`${options.clientId}\0${payload.jti}`).digest('hex');
  try {
    await db().usedClientAssertion.create({ data: { id, expiresAt: new Date((payload.exp! + 5) * 1000) } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return false;
    throw error;
  }
  return true;
}
