// Who an AuthZEN evaluation is about (issue 14 §3: "the agent acting for the user"). The spec leaves
// subject types to the PDP (§5.1: `id` is scoped to `type`); Leash understands three, each naming
// both the user and the agent (docs/authzen.md):
//   { "type": "token", "id": "<access token>" }
//       the token the API received: its user and agent, its scopes, its acr and its DPoP binding.
//       It must be active and its audience must include the asking resource (like introspection,
//       RFC 7662 §2.2, a token for anyone else is not told apart from an unknown one).
//   { "type": "agent", "id": "<client_id>", "properties": { "user": "<user id or email>" } }
//   { "type": "user", "id": "<user id or email>", "properties": { "agent": "<client_id>" } }
//       given ids: the agent must hold an active grant from that user that covers the asking
//       resource; the scopes are that grant's, and no second factor is known (step-up tiers ask).
import 'server-only';
import { db } from '@/lib/db/client';
import { expandScopes } from '@/lib/scopes/scopes';
import { findToken, isTokenActive } from '@/lib/tokens/find-token';
import type { AuthzenSubject } from '@/lib/authzen/authzen-request';

export type Subject = {
  userId: string | null;
  agentId: string;
  tokenId: string | null;
  scopes: Set<string>;
  acr: string | null;
  jit: boolean;
  /** null: not known (given ids, no token). */
  dpopBound: boolean | null;
  timeZone: string;
};

/** Why no decision could be made about the subject: a closed decision with this error (§7.2.1). */
export type SubjectError = { status: 400 | 401 | 403; message: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_GRANT: SubjectError = { status: 403, message: 'This agent holds no active grant from this user for this resource.' };

export async function resolveSubject(subject: AuthzenSubject, resourceIdentifier: string): Promise<{ subject: Subject } | { error: SubjectError }> {
  if (subject.type === 'token') return fromToken(subject.id, resourceIdentifier);
  const property = (name: string) => {
    const value = subject.properties?.[name];
    return typeof value === 'string' && value ? value : undefined;
  };
  if (subject.type === 'agent') {
    const user = property('user');
    if (!user) return { error: { status: 400, message: 'A subject of type "agent" names its user in properties.user.' } };
    return fromIds(subject.id, user, resourceIdentifier);
  }
  if (subject.type === 'user') {
    const agent = property('agent');
    if (!agent) return { error: { status: 400, message: 'A subject of type "user" names the agent acting for them in properties.agent.' } };
    return fromIds(agent, subject.id, resourceIdentifier);
  }
  return { error: { status: 400, message: 'Leash understands subjects of type "token", "agent" and "user".' } };
}

async function fromToken(presented: string, resourceIdentifier: string): Promise<{ subject: Subject } | { error: SubjectError }> {
  const token = await findToken(presented);
  if (!token || token.kind !== 'ACCESS' || !isTokenActive(token) || !token.audience.includes(resourceIdentifier)) {
    return { error: { status: 401, message: 'The access token is not active for this resource.' } };
  }
  return {
    subject: {
      userId: token.userId,
      agentId: token.agentId,
      tokenId: token.id,
      scopes: expandScopes(token.scopes),
      acr: token.acr,
      jit: token.jit,
      dpopBound: token.dpopJkt !== null,
      timeZone: token.user?.timeZone ?? 'UTC',
    },
  };
}

async function fromIds(clientId: string, userRef: string, resourceIdentifier: string): Promise<{ subject: Subject } | { error: SubjectError }> {
  const [agent, user] = await Promise.all([
    db().agent.findUnique({ where: { clientId }, select: { id: true, status: true } }),
    db().user.findFirst({ where: UUID.test(userRef) ? { id: userRef } : { email: userRef.trim().toLowerCase() }, select: { id: true, status: true, timeZone: true } }),
  ]);
  if (!agent || !user || agent.status !== 'ACTIVE' || user.status !== 'ACTIVE') return { error: NO_GRANT };
  const now = new Date();
  const grants = await db().grant.findMany({
    where: { userId: user.id, agentId: agent.id, status: 'ACTIVE', revokedAt: null, resources: { has: resourceIdentifier }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { scopes: true },
  });
  if (!grants.length) return { error: NO_GRANT };
  return {
    subject: {
      userId: user.id,
      agentId: agent.id,
      tokenId: null,
      scopes: expandScopes(grants.flatMap((g) => g.scopes)),
      acr: null,
      jit: false,
      dpopBound: null,
      timeZone: user.timeZone,
    },
  };
}
