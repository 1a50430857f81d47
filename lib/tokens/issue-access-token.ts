// Issues opaque tokens and writes their audit records in the caller's transaction (STYLE habit
// 6): if anything fails, nothing is issued. Only each token's hash is stored.
import 'server-only';
import { appendAuditEvent, type AuditInput } from '@/lib/audit/append-audit-event';
import { insertTokenGrouped } from '@/lib/audit/audit-group-commit';
import { uuid7 } from '@/lib/ids/uuid7';
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
};

async function createToken(tx: Prisma.TransactionClient, kind: 'ACCESS' | 'REFRESH', subject: TokenSubject, options: { expiresAt: Date; familyId?: string; grantType: string; ip: string }) {
  const prefix = kind === 'ACCESS' ? TOKEN_PREFIX.accessToken : TOKEN_PREFIX.refreshToken;
  const token = mintToken(prefix);
  const row = await tx.token.create({
    data: {
      kind,
      tokenHash: hashToken(token),
      prefix,
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
      expiresAt: options.expiresAt,
    },
    select: { id: true },
  });
  await appendAuditEvent(tx, issuanceRecord(kind, subject, options, row.id));
  return { token, id: row.id };
}

/** The audit record of an issuance. */
function issuanceRecord(
  kind: 'ACCESS' | 'REFRESH',
  subject: TokenSubject,
  options: { grantType: string; ip: string; expiresAt: Date; requestedScopes?: string[] },
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
    },
  };
}

export async function createAccessToken(tx: Prisma.TransactionClient, subject: TokenSubject, options: { grantType: string; ip: string; ttlSeconds?: number }) {
  const ttl = options.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  const issued = await createToken(tx, 'ACCESS', subject, { ...options, expiresAt: new Date(Date.now() + ttl * 1000) });
  return { ...issued, expiresIn: ttl };
}

export function createRefreshToken(tx: Prisma.TransactionClient, subject: TokenSubject, options: { grantType: string; ip: string; familyId: string; expiresAt: Date }) {
  return createToken(tx, 'REFRESH', subject, options);
}

/**
 * An access token that stands alone (client_credentials): the token row and its issuance record
 * are group-committed in one statement with those of concurrent requests
 * (lib/audit/audit-group-commit.ts); both are durable when this returns.
 */
export async function issueAccessToken(subject: TokenSubject, options: { grantType: string; ip: string; requestedScopes?: string[] }) {
  const ttl = ACCESS_TOKEN_TTL_SECONDS;
  const token = mintToken(TOKEN_PREFIX.accessToken);
  const createdAt = new Date();
  const expiresAt = new Date(createdAt.getTime() + ttl * 1000);
  const id = uuid7(createdAt.getTime());
  await insertTokenGrouped(
    {
      id,
      kind: 'ACCESS',
      tokenHash: hashToken(token),
      prefix: TOKEN_PREFIX.accessToken,
      agentId: subject.agentId,
      scopes: subject.scopes,
      audience: subject.audience,
      dpopJkt: subject.dpopJkt ?? null,
      createdAt,
      expiresAt,
    },
    issuanceRecord('ACCESS', subject, { grantType: options.grantType, ip: options.ip, expiresAt, requestedScopes: options.requestedScopes }, id),
  );
  return { token, id, expiresIn: ttl };
}
