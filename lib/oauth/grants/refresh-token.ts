// grant_type=refresh_token (RFC 6749 §6, OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). Every use rotates
// the refresh token: the presented one is marked used by compare-and-swap, so of two concurrent
// refreshes exactly one succeeds. Presenting a used refresh token is treated as theft: the whole
// family (every rotation, and the access tokens issued with them) is revoked and an alert raised.
// The family keeps the absolute expiry of its first token; scope may only shrink.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { OAuthError } from '@/lib/oauth/errors';
import { formatScope, parseScope } from '@/lib/oauth/scopes';
import { findToken, isTokenActive, type FoundToken } from '@/lib/tokens/find-token';
import { createAccessToken, createRefreshToken } from '@/lib/tokens/issue-access-token';
import type { Grant } from '@/lib/oauth/grants/types';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle({ client, params, ip }) {
    const presented = params.get('refresh_token');
    if (!presented) throw new OAuthError('invalid_request', 'refresh_token is required.');
    const invalid = new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
    const token = await findToken(presented);
    if (!token || token.kind !== 'REFRESH' || token.agentId !== client.id || !token.familyId) throw invalid;

    const claimed = await db().token.updateMany({
      where: { id: token.id, usedAt: null, revokedAt: null },
      data: { usedAt: new Date() },
    });
    if (claimed.count !== 1) {
      if (token.usedAt !== null || token.revokedAt === null) await revokeFamilyOnReuse(token, ip);
      throw invalid;
    }
    if (!isTokenActive(token)) throw invalid;
    if (token.grantId) {
      const grant = await db().grant.findFirst({ where: { id: token.grantId, status: 'ACTIVE' }, select: { id: true } });
      if (!grant) throw invalid;
    }

    const requested = parseScope(params.get('scope'));
    const beyond = requested.filter((s) => !token.scopes.includes(s));
    if (beyond.length) throw new OAuthError('invalid_scope', `The refresh token does not cover: ${beyond.join(' ')}`);
    const scopes = requested.length ? requested : token.scopes;
    const audience = params.resources.length ? params.resources : token.audience;
    if (audience.some((r) => !token.audience.includes(r))) throw new OAuthError('invalid_target', 'The resource was not part of the authorization.');

    const base = {
      agentId: client.id,
      userId: token.userId,
      grantId: token.grantId,
      authorizationRequestId: token.authorizationRequestId,
      authorizationDetails: token.authorizationDetails ?? undefined,
      acr: token.acr,
      amr: token.amr,
      authTime: token.authTime,
    };
    return db().$transaction(async (tx) => {
      const access = await createAccessToken(tx, { ...base, scopes, audience }, { grantType: 'refresh_token', ip });
      // RFC 6749 §6: the new refresh token keeps the scope of the one it replaces.
      const refresh = await createRefreshToken(
        tx,
        { ...base, scopes: token.scopes, audience: token.audience },
        { grantType: 'refresh_token', ip, familyId: token.familyId!, expiresAt: token.expiresAt },
      );
      return {
        access_token: access.token,
        token_type: 'Bearer' as const,
        expires_in: access.expiresIn,
        scope: formatScope(scopes),
        refresh_token: refresh.token,
      };
    });
  },
};

async function revokeFamilyOnReuse(token: FoundToken, ip: string) {
  await db().$transaction(async (tx) => {
    const family = await tx.token.findMany({ where: { familyId: token.familyId }, select: { id: true } });
    const { count } = await tx.token.updateMany({
      where: {
        revokedAt: null,
        OR: [{ familyId: token.familyId }, ...(token.grantId ? [{ grantId: token.grantId, kind: 'ACCESS' as const }] : [])],
      },
      data: { revokedAt: new Date(), revokedReason: 'refresh token reuse' },
    });
    await appendAuditEvent(tx, {
      action: 'refresh.reuse',
      decision: 'DENY',
      agentId: token.agentId,
      userId: token.userId,
      tokenId: token.id,
      scopes: token.scopes,
      ip,
      reason: 'a used refresh token was presented again: the whole family was revoked (RFC 9700 §4.14.2)',
      details: { family: token.familyId, family_size: family.length, revoked: count },
    });
    await tx.alert.create({
      data: {
        userId: token.userId,
        agentId: token.agentId,
        kind: 'refresh_token_reuse',
        severity: 'CRITICAL',
        message: 'A refresh token was used twice. Someone may have copied it; every token of that session was revoked.',
        details: { family: token.familyId, ip },
      },
    });
  });
}
