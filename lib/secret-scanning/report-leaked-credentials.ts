// What Leash does with credentials a secret scanner found in public (docs/secret-scanning.md), in
// one transaction with the replay guard and one audit row per credential, so that a report either
// takes full effect once or changes nothing:
// - an access or refresh token: revoked with its session: every token issued from the same
//   authorization and every rotation of their refresh families (RFC 9700 §4.14.2), plus, for a
//   refresh token, its grant's access tokens (lib/tokens/revoke-tokens.ts `tokenWithFamily`);
// - an agent's client secret: the agent is suspended for everyone, the secret voided and every
//   token it holds revoked; whoever holds the secret could mint tokens as the agent, and a secret
//   shown once cannot be rotated for a developer nobody can reach. The developer registers the
//   agent again (a new client_id and secret);
// - a registered API's client secret (lib/protected-resources/): the secret is voided, so the
//   API cannot introspect until an administrator makes a new one (Settings → Protected APIs);
// - a registration access token (RFC 7592): voided, so nobody can rewrite the agent's
//   registration (its redirect URIs) with it; the agent keeps working;
// - an agent's API key (docs/api-keys.md): revoked with every token exchanged for it; the person
//   who made it makes another (or moves the agent to OAuth).
// The people concerned get an alert naming where it was found (after the commit). A credential
// Leash never issued, or a look-alike whose checksum fails, is a false positive and changes nothing.
import 'server-only';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import type { LeakedCredential, LeakNotice, LeakPlace } from '@/lib/alerts/leaked-credentials';
import { emitEvent } from '@/lib/events/leash-events';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';
import { revokeTokens, revoking, tokenWithFamily, type TokenSelector } from '@/lib/tokens/revoke-tokens';
import { revokeApiKeys } from '@/lib/api-keys/revoke-api-keys';
import type { Prisma } from '@/lib/generated/prisma/client';

/** One match as the scanner reports it (GitHub: `{ token, type, url, source }`). */
export type LeakFinding = LeakPlace & { token: string };
/** The partner program's feedback format: the SHA-256 of the token (hex), its type, and the verdict. */
export type LeakLabel = { token_hash: string; token_type: string; label: 'true_positive' | 'false_positive' };

export type { LeakedCredential };

/** A report already acted on (same signature): refused, nothing changed. */
export class ReportReplayedError extends Error {}

/** How long a report's signature is remembered (it carries no time of its own). */
export const REPLAY_GUARD_DAYS = 30;
const REASON = 'found in public by GitHub secret scanning';

const KINDS: [LeakedCredential, (typeof TOKEN_PREFIX)[keyof typeof TOKEN_PREFIX]][] = [
  ['access_token', TOKEN_PREFIX.accessToken],
  ['refresh_token', TOKEN_PREFIX.refreshToken],
  ['client_secret', TOKEN_PREFIX.clientSecret],
  ['registration_access_token', TOKEN_PREFIX.registrationAccessToken],
  ['api_key', TOKEN_PREFIX.apiKey],
];

/** The kind of credential, if the string is a checksum-valid one of the kinds acted on. */
export function credentialKind(token: string): LeakedCredential | null {
  return KINDS.find(([, prefix]) => isWellFormedToken(token, prefix))?.[0] ?? null;
}

type Outcome = { label: LeakLabel['label']; notices: LeakNotice[] };

export async function reportLeakedCredentials(options: { findings: LeakFinding[]; replayId: string; ip: string }): Promise<LeakLabel[]> {
  const notices: LeakNotice[] = [];
  const labels = await revoking(async (tx) => {
    // The replay guard first: a concurrent copy of this report waits on the row, then finds it.
    const now = new Date();
    const claimed = await tx.usedScanningSignature.createMany({
      data: [{ id: options.replayId, expiresAt: new Date(now.getTime() + REPLAY_GUARD_DAYS * 86_400_000) }],
      skipDuplicates: true,
    });
    if (claimed.count === 0) throw new ReportReplayedError('This report was already received.');
    await tx.usedScanningSignature.deleteMany({ where: { expiresAt: { lt: now } } });
    const answered: LeakLabel[] = [];
    for (const finding of options.findings) {
      const kind = credentialKind(finding.token);
      const outcome = kind ? await actOn(tx, kind, finding, options.ip) : { label: 'false_positive' as const, notices: [] };
      notices.push(...outcome.notices);
      answered.push({ token_hash: hashToken(finding.token), token_type: finding.type, label: outcome.label });
    }
    return answered;
  });
  // After the commit: the revocations stand whether or not the alerts can be raised.
  if (notices.length > 0) await emitEvent('credentials.leaked', { notices, replayId: options.replayId });
  return labels;
}

function actOn(tx: Prisma.TransactionClient, kind: LeakedCredential, finding: LeakFinding, ip: string): Promise<Outcome> {
  if (kind === 'access_token' || kind === 'refresh_token') return revokeLeakedToken(tx, kind, finding, ip);
  if (kind === 'client_secret') return voidLeakedSecret(tx, finding, ip);
  if (kind === 'api_key') return revokeLeakedApiKey(tx, finding, ip);
  return voidLeakedRegistrationToken(tx, finding, ip);
}

type Done = 'revoked' | 'agent_suspended' | 'registration_token_voided' | 'resource_secret_voided';

const record = (finding: LeakFinding, credential: LeakedCredential, revoked: number, outcome: Done) => ({
  credential,
  url: finding.url,
  source: finding.source,
  type: finding.type,
  reporter: 'github' as const,
  revoked,
  outcome,
});

async function revokeLeakedToken(tx: Prisma.TransactionClient, kind: 'access_token' | 'refresh_token', finding: LeakFinding, ip: string): Promise<Outcome> {
  const token = await tx.token.findUnique({
    where: { tokenHash: hashToken(finding.token) },
    select: { id: true, kind: true, familyId: true, grantId: true, authorizationRequestId: true, agentId: true, userId: true, scopes: true, agent: { select: { ownerUserId: true } } },
  });
  if (!token) return { label: 'false_positive', notices: [] };
  const session: TokenSelector[] = [...tokenWithFamily(token), ...(token.authorizationRequestId ? [{ request: token.authorizationRequestId }] : [])];
  const revoked = await revokeTokens(tx, session, REASON);
  await appendAuditEvent(tx, {
    action: 'credential.leaked',
    decision: 'ALLOW',
    reason: `${kind === 'access_token' ? 'an access' : 'a refresh'} token was ${REASON}; its session was revoked`,
    userId: token.userId,
    agentId: token.agentId,
    tokenId: token.id,
    scopes: token.scopes,
    ip,
    details: record(finding, kind, revoked, 'revoked'),
  });
  const userId = token.userId ?? token.agent.ownerUserId;
  return { label: 'true_positive', notices: userId ? [{ userId, agentId: token.agentId, credential: kind, finding, revoked }] : [] };
}

/** The people who should hear about an agent: its owner and everyone who gave it access (at most 100). */
async function peopleOf(tx: Prisma.TransactionClient, agent: { id: string; ownerUserId: string | null }): Promise<string[]> {
  const grants = await tx.grant.findMany({ where: { agentId: agent.id, status: { in: ['ACTIVE', 'SUSPENDED'] } }, select: { userId: true }, distinct: ['userId'], take: 100 });
  return [...new Set([...(agent.ownerUserId ? [agent.ownerUserId] : []), ...grants.map((g) => g.userId)])];
}

async function voidLeakedSecret(tx: Prisma.TransactionClient, finding: LeakFinding, ip: string): Promise<Outcome> {
  const hash = hashToken(finding.token);
  // TODO(secret-scanning): no index on client_secret_hash; a leak report is rare enough for a scan.
  const agent = await tx.agent.findFirst({ where: { clientSecretHash: hash }, select: { id: true, ownerUserId: true } });
  if (agent) {
    const people = await peopleOf(tx, agent);
    await tx.agent.update({ where: { id: agent.id }, data: { status: 'SUSPENDED', clientSecretHash: null } });
    const revoked = await revokeTokens(tx, { agent: agent.id }, `the agent's client secret was ${REASON}`);
    await appendAuditEvent(tx, {
      action: 'credential.leaked',
      decision: 'ALLOW',
      reason: `the agent's client secret was ${REASON}; the agent was suspended, its secret voided and its tokens revoked`,
      userId: agent.ownerUserId,
      agentId: agent.id,
      ip,
      details: record(finding, 'client_secret', revoked, 'agent_suspended'),
    });
    return { label: 'true_positive', notices: people.map((userId) => ({ userId, agentId: agent.id, credential: 'client_secret', finding, revoked, suspended: true })) };
  }
  const resource = await tx.protectedResource.findFirst({ where: { clientSecretHash: hash }, select: { id: true, identifier: true, name: true, createdById: true } });
  if (!resource) return { label: 'false_positive', notices: [] };
  await tx.protectedResource.update({ where: { id: resource.id }, data: { clientSecretHash: null } });
  await appendAuditEvent(tx, {
    action: 'credential.leaked',
    decision: 'ALLOW',
    reason: `the client secret of the protected API ${resource.identifier} was ${REASON}; it was voided`,
    userId: resource.createdById,
    resource: resource.identifier,
    ip,
    details: record(finding, 'client_secret', 0, 'resource_secret_voided'),
  });
  return {
    label: 'true_positive',
    notices: resource.createdById ? [{ userId: resource.createdById, agentId: null, credential: 'client_secret', finding, revoked: 0, resource: resource.name }] : [],
  };
}

async function voidLeakedRegistrationToken(tx: Prisma.TransactionClient, finding: LeakFinding, ip: string): Promise<Outcome> {
  const agent = await tx.agent.findFirst({ where: { registrationAccessTokenHash: hashToken(finding.token) }, select: { id: true, ownerUserId: true } });
  if (!agent) return { label: 'false_positive', notices: [] };
  const people = await peopleOf(tx, agent);
  await tx.agent.update({ where: { id: agent.id }, data: { registrationAccessTokenHash: null } });
  await appendAuditEvent(tx, {
    action: 'credential.leaked',
    decision: 'ALLOW',
    reason: `the agent's registration access token (RFC 7592) was ${REASON}; it was voided`,
    userId: agent.ownerUserId,
    agentId: agent.id,
    ip,
    details: record(finding, 'registration_access_token', 0, 'registration_token_voided'),
  });
  return { label: 'true_positive', notices: people.map((userId) => ({ userId, agentId: agent.id, credential: 'registration_access_token', finding, revoked: 0 })) };
}

async function revokeLeakedApiKey(tx: Prisma.TransactionClient, finding: LeakFinding, ip: string): Promise<Outcome> {
  const key = await tx.apiKey.findUnique({ where: { keyHash: hashToken(finding.token) }, select: { id: true, userId: true, agentId: true, scopes: true } });
  if (!key) return { label: 'false_positive', notices: [] };
  // Already revoked or expired keys are still true positives: they were Leash's; revoking again changes nothing.
  const ended = await revokeApiKeys(tx, { id: key.id }, `the API key was ${REASON}`);
  await appendAuditEvent(tx, {
    action: 'credential.leaked',
    decision: 'ALLOW',
    reason: `an API key was ${REASON}; it was revoked with the tokens exchanged for it`,
    userId: key.userId,
    agentId: key.agentId,
    scopes: key.scopes,
    ip,
    details: record(finding, 'api_key', ended.tokens, 'revoked'),
  });
  return { label: 'true_positive', notices: [{ userId: key.userId, agentId: key.agentId, credential: 'api_key', finding, revoked: ended.tokens }] };
}
