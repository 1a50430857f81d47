// Issues tokens and writes their audit records in the caller's transaction (STYLE habit 6): if
// anything fails, nothing is issued. Only each token's hash is stored. Refresh tokens are opaque;
// an access token is opaque too unless its one audience is a resource that wants RFC 9068 JWTs
// (mintAccessToken, the one place the two forms part): every grant gets that form alike.
import 'server-only';
import { appendAuditEvent, type AuditInput } from '@/lib/audit/append-audit-event';
import { insertTokenGrouped } from '@/lib/audit/audit-group-commit';
import { getConfig } from '@/lib/config/config';
import { db } from '@/lib/db/client';
import { uuid7 } from '@/lib/ids/uuid7';
import { accessTokenFormat } from '@/lib/tokens/access-token-format';
import { JWT_ACCESS_TOKEN_PREFIX, jwtAccessTokenClaims, signJwtAccessToken } from '@/lib/tokens/jwt-access-token';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import type { Prisma } from '@/lib/generated/prisma/client';

/** Default access token lifetime: 10 minutes (short-lived, PRODUCT.md capability 1). */
export const ACCESS_TOKEN_TTL_SECONDS = 600;

export type TokenSubject = {
  agentId: string;
  userId?: string | null;
  grantId?: string | null;
  authorizationRequestId?: string | null;
  scopes: string[];
  audience: string[];
  authorizationDetails?: Prisma.InputJsonValue | null;
  acr?: string | null;
  amr?: string[];
  authTime?: Date | null;
  /** RFC 9449 §6.1: the thumbprint of the key the token is bound to (`cnf.jkt`). */
  dpopJkt?: string | null;
  /** RFC 8693 §4.1: the delegation chain (`act`), for tokens issued by token exchange. */
  actor?: Prisma.InputJsonValue | null;
  /** A just-in-time elevated token (CIBA approval): satisfies the policy's "needs approval" tier. */
  jit?: boolean;
  /** The token this one was narrowed from (RFC 8693, no actor): revoked with it. */
  parentTokenId?: string | null;
  /** The version of the user's policy for the agent the token was issued under (a JWT's `policy_version`). */
  policyVersion?: number | null;
  /** The API key the token was exchanged for (lib/oauth/exchange-api-key.ts): revoked with it. */
  apiKeyId?: string | null;
};

/** An access token's string, what the Tokens screen shows of it, and the key that signed it (JWTs). */
type AccessCredential = { token: string; prefix: string; signingKeyId: string | null };

/**
 * Mints an access token living `ttl` seconds: an RFC 9068 JWT when its audience asks for one
 * (issue 14 §2), else opaque (Leash's own resources, /api and /mcp, are opaque). A JWT's row takes
 * the id and times its claims carry (`jti`; `iat` and `exp` are whole seconds, RFC 7519 §2
 * NumericDate), so introspection and the JWT agree to the second.
 */
async function mintAccessToken(q: Prisma.TransactionClient, subject: TokenSubject, ttl: number): Promise<{ credential: AccessCredential; id: string; createdAt: Date; expiresAt: Date }> {
  const format = accessTokenFormat(subject.audience, q);
  if ((format instanceof Promise ? await format : format) !== 'jwt') {
    const createdAt = new Date();
    const credential = { token: mintToken(TOKEN_PREFIX.accessToken), prefix: TOKEN_PREFIX.accessToken, signingKeyId: null };
    return { credential, id: uuid7(createdAt.getTime()), createdAt, expiresAt: new Date(createdAt.getTime() + ttl * 1000) };
  }
  const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const expiresAt = new Date(issuedAt.getTime() + ttl * 1000);
  const id = uuid7(issuedAt.getTime());
  const { clientId } = await q.agent.findUniqueOrThrow({ where: { id: subject.agentId }, select: { clientId: true } });
  const { token, kid } = await signJwtAccessToken(jwtAccessTokenClaims({ issuer: getConfig().issuer, tokenId: id, clientId, subject, issuedAt, expiresAt }), q);
  return { credential: { token, prefix: JWT_ACCESS_TOKEN_PREFIX, signingKeyId: kid }, id, createdAt: issuedAt, expiresAt };
}

async function createToken(
  tx: Prisma.TransactionClient,
  kind: 'ACCESS' | 'REFRESH',
  subject: TokenSubject,
  credential: AccessCredential,
  options: { id?: string; createdAt?: Date; expiresAt: Date; familyId?: string; grantType: string; ip: string },
) {
  const { token, prefix } = credential;
  const row = await tx.token.create({
    data: {
      ...(options.id ? { id: options.id } : {}),
      ...(options.createdAt ? { createdAt: options.createdAt } : {}),
      kind,
      tokenHash: hashToken(token),
      prefix,
      signingKeyId: credential.signingKeyId,
      agentId: subject.agentId,
      userId: subject.userId ?? null,
      grantId: subject.grantId ?? null,
      authorizationRequestId: subject.authorizationRequestId ?? null,
      scopes: subject.scopes,
      audience: subject.audience,
      authorizationDetails: subject.authorizationDetails ?? undefined,
      acr: subject.acr ?? null,
      amr: subject.amr ?? [],
      authTime: subject.authTime ?? null,
      familyId: options.familyId ?? null,
      dpopJkt: subject.dpopJkt ?? null,
      actor: subject.actor ?? undefined,
      jit: subject.jit ?? false,
      parentTokenId: subject.parentTokenId ?? null,
      apiKeyId: subject.apiKeyId ?? null,
      expiresAt: options.expiresAt,
    },
    select: { id: true },
  });
  await appendAuditEvent(tx, issuanceRecord(kind, subject, { ...options, signingKeyId: credential.signingKeyId }, row.id));
  return { token, id: row.id };
}

/** The audit record of an issuance. */
function issuanceRecord(
  kind: 'ACCESS' | 'REFRESH',
  subject: TokenSubject,
  options: { grantType: string; ip: string; expiresAt: Date; requestedScopes?: string[]; signingKeyId?: string | null },
  tokenId: string,
): AuditInput<'token.issue'> {
  return {
    action: 'token.issue',
    decision: 'ALLOW',
    agentId: subject.agentId,
    userId: subject.userId ?? null,
    tokenId,
    actor: subject.actor ?? null,
    scopes: subject.scopes,
    resource: subject.audience.join(' '),
    ip: options.ip,
    reason: `${kind === 'ACCESS' ? 'access' : 'refresh'} token issued (${options.grantType})`,
    details: {
      grant_type: options.grantType,
      kind,
      // RFC 6749 §3.3: issued less than was asked for; the record keeps what was asked.
      ...(options.requestedScopes ? { requested_scopes: options.requestedScopes } : {}),
      ...(subject.jit ? { jit: true } : {}),
      expires_at: options.expiresAt.toISOString(),
      ...(subject.dpopJkt ? { dpop_jkt: subject.dpopJkt } : {}),
      ...(options.signingKeyId ? { jwt_kid: options.signingKeyId } : {}),
      ...(subject.apiKeyId ? { api_key: subject.apiKeyId } : {}),
    },
  };
}

export async function createAccessToken(tx: Prisma.TransactionClient, subject: TokenSubject, options: { grantType: string; ip: string; ttlSeconds?: number }) {
  const ttl = options.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  const minted = await mintAccessToken(tx, subject, ttl);
  // An opaque token's row keeps the database's defaults for its id and time, as it always had.
  const jwt = minted.credential.signingKeyId !== null;
  const issued = await createToken(tx, 'ACCESS', subject, minted.credential, { ...options, ...(jwt ? { id: minted.id, createdAt: minted.createdAt } : {}), expiresAt: minted.expiresAt });
  return { ...issued, expiresIn: ttl };
}

export function createRefreshToken(tx: Prisma.TransactionClient, subject: TokenSubject, options: { grantType: string; ip: string; familyId: string; expiresAt: Date }) {
  const credential = { token: mintToken(TOKEN_PREFIX.refreshToken), prefix: TOKEN_PREFIX.refreshToken, signingKeyId: null };
  return createToken(tx, 'REFRESH', subject, credential, options);
}

/**
 * An access token that stands alone (client_credentials): the token row and its issuance record
 * are group-committed in one statement with those of concurrent requests
 * (lib/audit/audit-group-commit.ts); both are durable when this returns.
 */
export async function issueAccessToken(subject: TokenSubject, options: { grantType: string; ip: string; requestedScopes?: string[] }) {
  const ttl = ACCESS_TOKEN_TTL_SECONDS;
  const {
    credential: { token, prefix, signingKeyId },
    id,
    createdAt,
    expiresAt,
  } = await mintAccessToken(db(), subject, ttl);
  await insertTokenGrouped(
    {
      id,
      kind: 'ACCESS',
      tokenHash: hashToken(token),
      prefix,
      signingKeyId,
      agentId: subject.agentId,
      scopes: subject.scopes,
      audience: subject.audience,
      dpopJkt: subject.dpopJkt ?? null,
      createdAt,
      expiresAt,
    },
    issuanceRecord('ACCESS', subject, { grantType: options.grantType, ip: options.ip, expiresAt, requestedScopes: options.requestedScopes, signingKeyId }, id),
  );
  return { token, id, expiresIn: ttl };
}
