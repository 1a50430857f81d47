// What a person does with the API keys of an agent connected to their account (docs/api-keys.md):
// make one, replace it (one click: a new key, the old one revoked with its tokens), revoke it. Each
// in one transaction with its audit record, each scoped to the person in the query itself (STYLE
// habit 9: another person's key or agent is simply not found). The key is returned once, here;
// only its SHA-256 is stored.
// A key's scopes are what the person's policy for the agent allows at most (its scope ceiling, the
// bound consent works within), never offline_access (an exchange never gives a refresh token), and
// only scopes some API here defines. Its expiry is mandatory and at most 90 days away.
import 'server-only';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { agentConnection } from '@/lib/api-keys/agent-connection';
import { API_KEY_MAX_DAYS, API_KEY_MAX_LIVE } from '@/lib/api-keys/api-key-limits';
import { revokeApiKeys } from '@/lib/api-keys/revoke-api-keys';
import { loadAgentPolicy } from '@/lib/policy/load-agent-policy';
import { withinScopeCeiling } from '@/lib/policy/policy-document';
import { knownScopeNames } from '@/lib/protected-resources/registry';
import { hashToken, mintToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import { revoking } from '@/lib/tokens/revoke-tokens';
import type { Prisma } from '@/lib/generated/prisma/client';

const DAY_MS = 86_400_000;

/** Why a change was refused, in words for the person, with the field it concerns. */
export type ApiKeyProblem = { kind: 'not_found' | 'conflict' | 'invalid'; message: string; field?: 'scopes' | 'expiresInDays' | 'name' | 'ipRanges' };
type Result<T> = ({ ok: true } & T) | { ok: false; problem: ApiKeyProblem };

export type NewApiKey = { name: string; scopes: string[]; expiresInDays: number; ipRanges: string[] };
type Actor = { userId: string; agentId: string; ip: string };

/** The scopes the person's policy for the agent lets a key hold, or the problem with the ones asked for. */
async function checkScopes(actor: Actor, scopes: string[]): Promise<Result<{ scopes: string[] }>> {
  if (!scopes.length) return { ok: false, problem: { kind: 'invalid', field: 'scopes', message: 'Choose at least one permission.' } };
  const known = await knownScopeNames();
  const { document, version } = await loadAgentPolicy({ userId: actor.userId, agentId: actor.agentId });
  const refused = scopes.filter((s) => s === 'offline_access' || !known.has(s) || !withinScopeCeiling(document, s));
  if (refused.length) {
    return {
      ok: false,
      problem: { kind: 'invalid', field: 'scopes', message: `Your policy for this agent (v${version}) does not allow: ${refused.join(' ')}. A key can hold only what the policy allows.` },
    };
  }
  return { ok: true, scopes: [...new Set(scopes)] };
}

async function checkConnected(tx: Prisma.TransactionClient, actor: Actor): Promise<ApiKeyProblem | null> {
  const connection = await agentConnection(tx, actor);
  if (connection.state === 'suspended') return { kind: 'conflict', message: 'This agent is stopped (kill switch): resume it before making a key for it.' };
  if (connection.state === 'revoked') return { kind: 'not_found', message: 'No such agent connected to your account.' };
  return null;
}

async function insertKey(tx: Prisma.TransactionClient, actor: Actor, key: NewApiKey, rotatedFromId: string | null) {
  const secret = mintToken(TOKEN_PREFIX.apiKey);
  const row = await tx.apiKey.create({
    data: {
      userId: actor.userId,
      agentId: actor.agentId,
      name: key.name,
      keyHash: hashToken(secret),
      hint: secret.slice(0, TOKEN_PREFIX.apiKey.length + 4),
      scopes: key.scopes,
      ipRanges: key.ipRanges,
      expiresAt: new Date(Date.now() + key.expiresInDays * DAY_MS),
      rotatedFromId,
    },
    select: { id: true, expiresAt: true },
  });
  return { secret, id: row.id, expiresAt: row.expiresAt };
}

export async function createApiKey(actor: Actor, key: NewApiKey): Promise<Result<{ id: string; key: string }>> {
  // The route's schema already holds these; the rule lives here too (fail closed on another caller).
  if (!(key.expiresInDays >= 1 && key.expiresInDays <= API_KEY_MAX_DAYS)) {
    return { ok: false, problem: { kind: 'invalid', field: 'expiresInDays', message: `A key expires in 1 to ${API_KEY_MAX_DAYS} days.` } };
  }
  const scopes = await checkScopes(actor, key.scopes);
  if (!scopes.ok) return scopes;
  return db().$transaction(async (tx) => {
    const problem = await checkConnected(tx, actor);
    if (problem) return { ok: false, problem };
    const live = await tx.apiKey.count({ where: { userId: actor.userId, agentId: actor.agentId, revokedAt: null, expiresAt: { gt: new Date() } } });
    if (live >= API_KEY_MAX_LIVE) return { ok: false, problem: { kind: 'conflict', message: `This agent already has ${API_KEY_MAX_LIVE} live keys: revoke one first.` } };
    const made = await insertKey(tx, actor, { ...key, scopes: scopes.scopes }, null);
    await appendAuditEvent(tx, {
      action: 'api_key.create',
      decision: 'ALLOW',
      reason: `the user made an API key for the agent (${key.name})`,
      userId: actor.userId,
      agentId: actor.agentId,
      scopes: scopes.scopes,
      ip: actor.ip,
      details: { api_key: made.id, name: key.name, expires_at: made.expiresAt.toISOString(), ip_ranges: key.ipRanges },
    });
    return { ok: true, id: made.id, key: made.secret };
  });
}

/**
 * One-click rotation: a new key like the old one (name, scopes still within the policy, address
 * ranges, the same lifetime unless another is given), and the old one revoked with its tokens.
 */
export async function rotateApiKey(actor: { userId: string; ip: string }, options: { keyId: string; expiresInDays?: number }): Promise<Result<{ id: string; key: string; agentId: string }>> {
  const old = await db().apiKey.findFirst({ where: { id: options.keyId, userId: actor.userId } });
  if (!old) return { ok: false, problem: { kind: 'not_found', message: 'No such API key.' } };
  if (old.revokedAt) return { ok: false, problem: { kind: 'conflict', message: 'This key was revoked: make a new one instead.' } };
  const lifetime = Math.round((old.expiresAt.getTime() - old.createdAt.getTime()) / DAY_MS);
  const expiresInDays = options.expiresInDays ?? Math.min(API_KEY_MAX_DAYS, Math.max(1, lifetime));
  const owner = { userId: actor.userId, agentId: old.agentId, ip: actor.ip };
  const { document } = await loadAgentPolicy(owner);
  const scopes = old.scopes.filter((s) => withinScopeCeiling(document, s));
  if (!scopes.length) return { ok: false, problem: { kind: 'conflict', field: 'scopes', message: 'Your policy for this agent no longer allows any of this key’s permissions: make a new key.' } };
  return revoking(async (tx) => {
    const problem = await checkConnected(tx, owner);
    if (problem) return { ok: false, problem };
    const ended = await revokeApiKeys(tx, { id: old.id, user: actor.userId }, 'rotated: replaced by a new key');
    // Revoked meanwhile (a concurrent rotation or revocation): nothing to replace.
    if (!ended.keys) return { ok: false, problem: { kind: 'conflict', message: 'This key was revoked meanwhile.' } };
    const made = await insertKey(tx, owner, { name: old.name, scopes, expiresInDays, ipRanges: old.ipRanges }, old.id);
    await appendAuditEvent(tx, {
      action: 'api_key.rotate',
      decision: 'ALLOW',
      reason: `the user replaced an API key of the agent (${old.name}); the old key and its tokens were revoked`,
      userId: actor.userId,
      agentId: old.agentId,
      scopes,
      ip: actor.ip,
      details: { api_key: made.id, replaced: old.id, expires_at: made.expiresAt.toISOString(), revokedTokens: ended.tokens },
    });
    return { ok: true, id: made.id, key: made.secret, agentId: old.agentId };
  });
}

export async function revokeApiKey(actor: { userId: string; ip: string }, options: { keyId: string }): Promise<Result<{ revokedTokens: number }>> {
  return revoking(async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id: options.keyId, userId: actor.userId }, select: { id: true, agentId: true, name: true, scopes: true } });
    if (!key) return { ok: false, problem: { kind: 'not_found', message: 'No such API key.' } };
    const ended = await revokeApiKeys(tx, { id: key.id, user: actor.userId }, 'revoked by the user');
    if (!ended.keys) return { ok: true, revokedTokens: 0 };
    await appendAuditEvent(tx, {
      action: 'api_key.revoke',
      decision: 'ALLOW',
      reason: `the user revoked an API key of the agent (${key.name}) and the tokens exchanged for it`,
      userId: actor.userId,
      agentId: key.agentId,
      scopes: key.scopes,
      ip: actor.ip,
      details: { api_key: key.id, revokedTokens: ended.tokens },
    });
    return { ok: true, revokedTokens: ended.tokens };
  });
}
