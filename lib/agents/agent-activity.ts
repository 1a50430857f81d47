// How a user's agents have been behaving, from the audit log: API and MCP calls and refusals per day (charts
// and sparklines), and which scopes an agent actually used (for "narrow to what is used").
// Every query names the user, so nobody reads another user's activity.
import 'server-only';
import { db } from '@/lib/db/client';
import { dayRange, emptySeries, type DailyActivity } from '@/lib/agents/daily-series';

const DAY_MS = 86_400_000;

/**
 * One entry per day (UTC) for the last `days` days, oldest first, zeros included; per agent. Every
 * agent in `agentIds` (or `agentId`) has a series, with or without calls, so series add up by day.
 */
export async function dailyActivity(options: { userId: string; agentId?: string; agentIds?: string[]; days: number }): Promise<Map<string, DailyActivity[]>> {
  const days = dayRange({ days: options.days, now: new Date() });
  const since = new Date(`${days[0]}T00:00:00Z`);
  const rows = await db().$queryRaw<{ agent_id: string; day: Date; calls: bigint; denials: bigint }[]>`
    SELECT agent_id, date_trunc('day', created_at AT TIME ZONE 'UTC') AS day,
           count(*) AS calls, count(*) FILTER (WHERE decision <> 'ALLOW') AS denials
      FROM audit_events
     WHERE user_id = ${options.userId}::uuid AND created_at >= ${since}
       AND agent_id IS NOT NULL AND (${options.agentId ?? null}::uuid IS NULL OR agent_id = ${options.agentId ?? null}::uuid)
       AND split_part(action, '.', 1) IN ('datasets', 'reports', 'workflows', 'invoices', 'payments', 'mcp')
     GROUP BY 1, 2`;
  const byAgent = new Map<string, DailyActivity[]>();
  for (const row of rows) {
    const series = byAgent.get(row.agent_id) ?? emptySeries(days);
    const index = Math.round((new Date(`${row.day.toISOString().slice(0, 10)}T00:00:00Z`).getTime() - since.getTime()) / DAY_MS);
    if (series[index]) series[index] = { ...series[index], calls: Number(row.calls), denials: Number(row.denials) };
    byAgent.set(row.agent_id, series);
  }
  for (const id of [...(options.agentIds ?? []), ...(options.agentId ? [options.agentId] : [])]) {
    if (!byAgent.has(id)) byAgent.set(id, emptySeries(days));
  }
  return byAgent;
}

/** The scopes an agent's allowed calls needed in the last `days` days. */
export async function usedScopes(options: { userId: string; agentId: string; days: number }): Promise<string[]> {
  const since = new Date(Date.now() - options.days * DAY_MS);
  const rows = await db().$queryRaw<{ scope: string }[]>`
    SELECT DISTINCT unnest(scopes) AS scope FROM audit_events
     WHERE user_id = ${options.userId}::uuid AND agent_id = ${options.agentId}::uuid
       AND decision = 'ALLOW' AND created_at >= ${since}
       AND split_part(action, '.', 1) IN ('datasets', 'reports', 'workflows', 'invoices', 'payments')`;
  return rows.map((r) => r.scope).sort();
}
