// The audit browser's query (issue 5): filters (agent, action, decision, time range, free text)
// and keyset pagination newest first (`id < before`), so page N costs what page 1 costs however
// long the log is. The SQL is built in one place so the explain-plan test checks exactly what runs:
// a user's pages walk audit_events_user_id_agent_id_id_idx / audit_events_user_id_id_idx in order.
// Users see their own agents' records; admins see everything.
import 'server-only';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import { actorChain, describeDelegation } from '@/lib/words/plain-words';

export const auditFilterSchema = z.object({
  agent: z.uuid().optional(),
  action: z.string().trim().max(100).regex(/^[a-z_.]*$/, 'actions are lower-case words with dots').optional(),
  decision: z.enum(['ALLOW', 'DENY', 'STEP_UP', 'APPROVAL']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  q: z.string().trim().max(200).optional(),
  before: z.coerce.bigint().positive().optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** Who is looking: a user (their records) or an admin (all records). */
export type AuditScope = { userId: string; role: 'USER' | 'ADMIN' };

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function auditSearchSql(filter: AuditFilter, scope: AuditScope, limit: number): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (scope.role !== 'ADMIN') conditions.push(Prisma.sql`user_id = ${scope.userId}::uuid`);
  if (filter.agent) conditions.push(Prisma.sql`agent_id = ${filter.agent}::uuid`);
  if (filter.action) conditions.push(Prisma.sql`action LIKE ${`${escapeLike(filter.action)}%`}`);
  if (filter.decision) conditions.push(Prisma.sql`decision = ${filter.decision}::"Decision"`);
  if (filter.from) conditions.push(Prisma.sql`created_at >= ${new Date(filter.from)}`);
  if (filter.to) conditions.push(Prisma.sql`created_at < ${new Date(filter.to)}`);
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q)}%`;
    conditions.push(Prisma.sql`(reason ILIKE ${pattern} OR resource ILIKE ${pattern} OR action ILIKE ${pattern} OR request_id = ${filter.q})`);
  }
  if (filter.before) conditions.push(Prisma.sql`id < ${filter.before}`);
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
  return Prisma.sql`
    SELECT id, created_at, user_id, agent_id, actor, action, resource, decision, reason, token_id, scopes, intent, ip, request_id, details, prev_hash, hash
      FROM audit_events ${where}
     ORDER BY id DESC
     LIMIT ${limit}`;
}

type Row = {
  id: bigint;
  created_at: Date;
  user_id: string | null;
  agent_id: string | null;
  actor: unknown;
  action: string;
  resource: string | null;
  decision: string;
  reason: string | null;
  token_id: string | null;
  scopes: string[];
  intent: string | null;
  ip: string | null;
  request_id: string | null;
  details: unknown;
  prev_hash: string | null;
  /** Null for a moment after the insert, until the sealer chains the row. */
  hash: string | null;
};

export type AuditRecord = ReturnType<typeof toRecord>;

function toRecord(row: Row, agents: Map<string, string>, intentTexts: Map<bigint, string>, delegations: Map<bigint, string>) {
  return {
    id: row.id.toString(),
    createdAt: row.created_at.toISOString(),
    userId: row.user_id,
    agentId: row.agent_id,
    agentName: row.agent_id ? (agents.get(row.agent_id) ?? 'Deleted agent') : null,
    actor: row.actor,
    /** The `act` chain in words ("Agent B acting for Agent A"), for delegated calls. */
    delegation: delegations.get(row.id) ?? null,
    action: row.action,
    resource: row.resource,
    decision: row.decision,
    reason: row.reason,
    tokenId: row.token_id,
    scopes: row.scopes,
    intent: row.intent,
    intentText: intentTexts.get(row.id) ?? null,
    ip: row.ip,
    requestId: row.request_id,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export const AUDIT_PAGE = 50;

/** One page of records, newest first, and the cursor of the next page (null at the end). */
export async function searchAuditEvents(filter: AuditFilter, scope: AuditScope, limit = AUDIT_PAGE) {
  const rows = await db().$queryRaw<Row[]>(auditSearchSql(filter, scope, limit + 1));
  const page = rows.slice(0, limit);
  const agentIds = [...new Set(page.map((r) => r.agent_id).filter((id): id is string => id !== null))];
  const [agents, texts] = await Promise.all([
    agentIds.length ? db().agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } }) : [],
    page.some((r) => r.intent) ? db().auditIntentText.findMany({ where: { eventId: { in: page.map((r) => r.id) } }, select: { eventId: true, text: true } }) : [],
  ]);
  const names = new Map(agents.map((a) => [a.id, a.name]));
  const intentTexts = new Map(texts.map((t) => [t.eventId, t.text]));
  const delegations = await describeDelegations(page);
  return { events: page.map((row) => toRecord(row, names, intentTexts, delegations)), nextBefore: rows.length > limit ? page.at(-1)!.id.toString() : null };
}

/**
 * Delegated records in words: the actors of the `act` chain by name (current first, RFC 8693
 * §4.1), acting for the agent whose grant the token came from (the one the person allowed).
 */
async function describeDelegations(page: Row[]): Promise<Map<bigint, string>> {
  const delegated = page.filter((r) => actorChain(r.actor).length > 0);
  if (!delegated.length) return new Map();
  const clientIds = [...new Set(delegated.flatMap((r) => actorChain(r.actor)))];
  const tokenIds = [...new Set(delegated.map((r) => r.token_id).filter((id): id is string => id !== null))];
  const [actors, tokens] = await Promise.all([
    db().agent.findMany({ where: { clientId: { in: clientIds } }, select: { clientId: true, name: true } }),
    tokenIds.length ? db().token.findMany({ where: { id: { in: tokenIds } }, select: { id: true, grant: { select: { agent: { select: { name: true } } } } } }) : [],
  ]);
  const actorNames = new Map(actors.map((a) => [a.clientId, a.name]));
  const subjects = new Map(tokens.map((t) => [t.id, t.grant?.agent.name ?? null]));
  return new Map(
    delegated.map((r) => [
      r.id,
      describeDelegation(
        actorChain(r.actor).map((id) => actorNames.get(id) ?? 'an agent no longer registered'),
        r.token_id ? (subjects.get(r.token_id) ?? null) : null,
      ),
    ]),
  );
}
