// What a person's agents did in a window, for the daily digest: counted by the database in three
// aggregate queries (GROUP BY agent), never by loading the rows.
// - Calls: the audit rows of the agents' API and MCP actions (the ones the Agents charts count),
//   by decision: allowed, refused (DENY), held for a second factor or an approval (STEP_UP, APPROVAL).
// - Approvals: the CIBA requests filed in the window, by where they are now (approved, denied,
//   expired, still pending).
// - Alerts raised in the window, by severity (an alert about the account, not one agent, has no agent).
// The person is in every query: nobody's digest counts someone else's rows.
import 'server-only';
import { db } from '@/lib/db/client';
import { clientIdFragment } from '@/lib/agents/client-id-fragment';
import { ACTION_NAMES } from '@/lib/scopes/actions';
import { alertsRaised, approvalsAsked, type AgentActivity } from '@/lib/notifications/digest-message';

const CALL_ACTIONS: string[] = [...ACTION_NAMES, 'mcp.request'];
const n = (value: bigint | number | null | undefined) => Number(value ?? 0);

/** Per agent that did anything for `userId` in [from, to), the busiest first; empty on a quiet day. */
export async function loadDigestActivity(options: { userId: string; from: Date; to: Date }): Promise<AgentActivity[]> {
  const { userId, from, to } = options;
  const [calls, approvals, alerts] = await Promise.all([
    // audit_events is indexed by (user_id, id), not by time: ids grow with time, so the scan starts
    // at the user's last row written well before the window (an hour of slack covers rows whose
    // time was taken before a batched insert) and reads about one day of rows, not the user's history.
    db().$queryRaw<{ agent_id: string; allowed: bigint; refused: bigint; held: bigint }[]>`
      SELECT agent_id::text AS agent_id,
             count(*) FILTER (WHERE decision = 'ALLOW') AS allowed,
             count(*) FILTER (WHERE decision = 'DENY') AS refused,
             count(*) FILTER (WHERE decision IN ('STEP_UP', 'APPROVAL')) AS held
        FROM audit_events
       WHERE user_id = ${userId}::uuid
         AND id > COALESCE((SELECT id FROM audit_events WHERE user_id = ${userId}::uuid AND created_at < ${from}::timestamptz - interval '1 hour' ORDER BY id DESC LIMIT 1), 0)
         AND created_at >= ${from} AND created_at < ${to}
         AND agent_id IS NOT NULL AND action = ANY(${CALL_ACTIONS})
       GROUP BY agent_id`,
    db().$queryRaw<{ agent_id: string; status: string; count: bigint }[]>`
      SELECT agent_id::text AS agent_id, status::text AS status, count(*) AS count
        FROM approval_requests
       WHERE user_id = ${userId}::uuid AND created_at >= ${from} AND created_at < ${to}
       GROUP BY agent_id, status`,
    db().$queryRaw<{ agent_id: string | null; severity: string; count: bigint }[]>`
      SELECT agent_id::text AS agent_id, severity::text AS severity, count(*) AS count
        FROM alerts
       WHERE user_id = ${userId}::uuid AND created_at >= ${from} AND created_at < ${to}
       GROUP BY agent_id, severity`,
  ]);

  const byAgent = new Map<string | null, AgentActivity>();
  const entry = (agentId: string | null) => {
    let found = byAgent.get(agentId);
    if (!found) {
      found = {
        agentId,
        name: '',
        mark: null,
        calls: { allowed: 0, refused: 0, held: 0 },
        approvals: { approved: 0, denied: 0, expired: 0, pending: 0 },
        alerts: { critical: 0, warning: 0, info: 0 },
      };
      byAgent.set(agentId, found);
    }
    return found;
  };
  for (const row of calls) entry(row.agent_id).calls = { allowed: n(row.allowed), refused: n(row.refused), held: n(row.held) };
  for (const row of approvals) {
    const key = row.status.toLowerCase() as keyof AgentActivity['approvals'];
    if (key in entry(row.agent_id).approvals) entry(row.agent_id).approvals[key] += n(row.count);
  }
  for (const row of alerts) {
    const key = row.severity.toLowerCase() as keyof AgentActivity['alerts'];
    if (key in entry(row.agent_id).alerts) entry(row.agent_id).alerts[key] += n(row.count);
  }

  const ids = [...byAgent.keys()].filter((id): id is string => id !== null);
  const agents = ids.length ? await db().agent.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, clientId: true, verifiedDomain: true } }) : [];
  const known = new Map(agents.map((a) => [a.id, a]));
  for (const activity of byAgent.values()) {
    const agent = activity.agentId ? known.get(activity.agentId) : undefined;
    activity.name = activity.agentId === null ? 'Your account' : (agent?.name ?? 'Deleted agent');
    activity.mark = agent ? agent.verifiedDomain || clientIdFragment(agent.clientId) : null;
  }
  const weight = (a: AgentActivity) => a.calls.allowed + a.calls.refused + a.calls.held + approvalsAsked(a.approvals) + alertsRaised(a.alerts);
  // The account's own line last; agents by how much they did, then by name.
  return [...byAgent.values()].sort((a, b) => Number(a.agentId === null) - Number(b.agentId === null) || weight(b) - weight(a) || a.name.localeCompare(b.name));
}
