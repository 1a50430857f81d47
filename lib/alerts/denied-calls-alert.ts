// Anomaly rule (issue 7): many refused calls by one agent for one user in a short window look like
// probing, for instance an agent steered by a prompt injection trying what it may do. The rule
// raises one alert per window (a transaction-scoped advisory lock per agent keeps concurrent
// refusals from raising it twice). Thresholds are defaults until per-user settings exist.
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';

export const DENIED_CALLS_THRESHOLD = 10;
export const DENIED_CALLS_WINDOW_MINUTES = 5;

export async function checkDeniedCalls(options: { userId: string; agentId: string }): Promise<boolean> {
  const lockKey = crypto.createHash('sha256').update(`alert:denied:${options.agentId}:${options.userId}`).digest().readBigInt64BE(0);
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockKey})`;
    const since = new Date(Date.now() - DENIED_CALLS_WINDOW_MINUTES * 60_000);
    const recent = await tx.alert.count({ where: { userId: options.userId, agentId: options.agentId, kind: 'denied_calls', createdAt: { gt: since } } });
    if (recent) return false;
    const denied = await tx.auditEvent.count({ where: { userId: options.userId, agentId: options.agentId, decision: 'DENY', createdAt: { gt: since } } });
    if (denied < DENIED_CALLS_THRESHOLD) return false;
    const agent = await tx.agent.findUnique({ where: { id: options.agentId }, select: { name: true } });
    await tx.alert.create({
      data: {
        userId: options.userId,
        agentId: options.agentId,
        kind: 'denied_calls',
        severity: 'WARNING',
        message: `${agent?.name ?? 'An agent'} was refused ${denied} times in ${DENIED_CALLS_WINDOW_MINUTES} minutes. It may be probing what it is allowed to do; check its recent activity, and stop it if this is not expected.`,
        details: { denied, windowMinutes: DENIED_CALLS_WINDOW_MINUTES },
      },
    });
    return true;
  });
}
