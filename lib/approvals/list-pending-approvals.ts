// Elevation requests waiting for this user's decision, newest first, with what the Approvals
// screen shows: who asks (with what tells it apart from a look-alike: its client id, verified
// domain, registration date, and a warning when another agent of this user has the same name),
// exactly what (scopes and RFC 9396 details in words), why, for how long.
import 'server-only';
import { db } from '@/lib/db/client';
import { authorizationDetailsSchema, describeAuthorizationDetail } from '@/lib/oauth/authorization-details';
import { isKnownScope, SCOPES } from '@/lib/scopes/scopes';

const SELECT = {
  id: true,
  scopes: true,
  authorizationDetails: true,
  bindingMessage: true,
  intent: true,
  windowSeconds: true,
  createdAt: true,
  expiresAt: true,
  agent: { select: { id: true, name: true, logoUri: true, clientId: true, verifiedDomain: true, createdAt: true } },
} as const;

type Row = {
  id: string;
  scopes: string[];
  authorizationDetails: unknown;
  bindingMessage: string | null;
  intent: string | null;
  windowSeconds: number;
  createdAt: Date;
  expiresAt: Date;
  agent: { id: string; name: string; logoUri: string | null; clientId: string; verifiedDomain: string | null; createdAt: Date };
};

/** How many of the user's other agents (connected, or their own) carry each of these names. */
async function lookAlikes(userId: string, agents: { id: string; name: string }[]): Promise<Map<string, number>> {
  const names = [...new Set(agents.map((a) => a.name.trim().toLowerCase()))];
  if (!names.length) return new Map();
  const rows = await db().$queryRaw<{ id: string; name: string }[]>`
    SELECT DISTINCT a.id, lower(trim(a.name)) AS name FROM agents a
     WHERE lower(trim(a.name)) = ANY(${names}::text[])
       AND (a.owner_user_id = ${userId}::uuid OR EXISTS (SELECT 1 FROM grants g WHERE g.agent_id = a.id AND g.user_id = ${userId}::uuid))`;
  const others = new Map<string, number>();
  for (const agent of agents) {
    others.set(agent.id, rows.filter((r) => r.name === agent.name.trim().toLowerCase() && r.id !== agent.id).length);
  }
  return others;
}

/** The request's RFC 9396 details in words; none when it asked by scope alone. */
function detailWords(stored: unknown): string[] {
  const details = authorizationDetailsSchema.safeParse(stored ?? []);
  return details.success ? details.data.map(describeAuthorizationDetail) : [];
}

const scopeWords = (scope: string) => (isKnownScope(scope) ? SCOPES[scope].description : scope);

function present(row: Row, sameName: number) {
  return {
    id: row.id,
    agentName: row.agent.name,
    agentLogoUri: row.agent.logoUri,
    agentClientId: row.agent.clientId,
    agentVerifiedDomain: row.agent.verifiedDomain,
    agentRegisteredAt: row.agent.createdAt.toISOString(),
    /** Other agents of this user with the same name: the card warns. */
    sameNameAgents: sameName,
    scopes: row.scopes.map((s) => ({ name: s, description: scopeWords(s) })),
    details: detailWords(row.authorizationDetails),
    bindingMessage: row.bindingMessage,
    intent: row.intent && !row.intent.startsWith('sha256:') ? row.intent : null,
    windowMinutes: Math.round(row.windowSeconds / 60),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}

export async function listPendingApprovals(options: { userId: string }) {
  const rows: Row[] = await db().approvalRequest.findMany({
    where: { userId: options.userId, status: 'PENDING', expiresAt: { gt: new Date() } },
    select: SELECT,
    orderBy: { createdAt: 'desc' },
    take: 100,
  });
  const alike = await lookAlikes(
    options.userId,
    rows.map((r) => r.agent),
  );
  return rows.map((row) => present(row, alike.get(row.agent.id) ?? 0));
}

/** One request of this user, whatever its state, for the review page. */
export async function getApprovalForReview(options: { userId: string; id: string }) {
  const row = await db().approvalRequest.findFirst({ where: { id: options.id, userId: options.userId }, select: { ...SELECT, status: true } });
  if (!row) return null;
  const alike = await lookAlikes(options.userId, [row.agent]);
  const expired = row.status === 'PENDING' && row.expiresAt <= new Date();
  return { ...present(row, alike.get(row.agent.id) ?? 0), status: expired ? ('EXPIRED' as const) : row.status };
}

export type PendingApproval = Awaited<ReturnType<typeof listPendingApprovals>>[number];
export type ApprovalForReview = NonNullable<Awaited<ReturnType<typeof getApprovalForReview>>>;

/** The inbox's history: the user's last answered or expired requests, newest first. */
export async function listApprovalHistory(options: { userId: string }) {
  const now = new Date();
  const rows = await db().approvalRequest.findMany({
    where: { userId: options.userId, OR: [{ status: { not: 'PENDING' } }, { expiresAt: { lte: now } }] },
    select: { ...SELECT, status: true, decidedAt: true },
    orderBy: { createdAt: 'desc' },
    take: 30,
  });
  return rows.map((row) => {
    const details = detailWords(row.authorizationDetails);
    return {
      id: row.id,
      agentName: row.agent.name,
      agentClientId: row.agent.clientId,
      agentVerifiedDomain: row.agent.verifiedDomain,
      what: details.length ? details : row.scopes.map(scopeWords),
      outcome: row.status === 'PENDING' || row.status === 'EXPIRED' ? ('Expired' as const) : row.status === 'APPROVED' ? ('Approved' as const) : ('Denied' as const),
      at: (row.decidedAt ?? row.expiresAt).toISOString(),
    };
  });
}

export type ApprovalHistoryItem = Awaited<ReturnType<typeof listApprovalHistory>>[number];
