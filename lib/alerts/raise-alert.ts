// Raising an alert (issue 7): one row per rule, agent and user per window (a transaction-scoped
// advisory lock, tried rather than awaited, keeps concurrent triggers from raising it twice), shown live on the Alerts page
// (the alerts table notifies `leash_live`). After it commits: the agent is suspended for that user
// exactly as the kill switch does, when the user's settings ask for it at this severity; and the
// alert is sent to the user's webhook, signed, without delaying or failing the request that
// triggered it. Every rule goes through here (lib/alerts/rules.ts).
import 'server-only';
import crypto from 'node:crypto';
import { db } from '@/lib/db/client';
import { appendAuditEvent } from '@/lib/audit/append-audit-event';
import { suspendAgent } from '@/lib/agents/control-agent-access';
import { getAlertSettings } from '@/lib/alerts/alert-settings';
import { deliverAlert } from '@/lib/alerts/deliver-alert';
import { metrics } from '@/lib/metrics/metrics';
import type { Prisma } from '@/lib/generated/prisma/client';
import { log } from '@/lib/log/logger';
import { alertWantsWebhook, notifyAlert } from '@/lib/notifications/notify-alert';

export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';
const RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

export type AlertInput = {
  userId: string;
  agentId: string | null;
  kind: string;
  severity: Severity;
  /** Decides inside the lock, with the transaction: the message and details, or null for no alert. */
  decide: (tx: Prisma.TransactionClient) => Promise<{ message: string; details: Prisma.InputJsonObject } | null>;
  /**
   * No second alert of this kind for this agent and user within this many minutes (0: ever). A
   * function when it comes from the user's settings: read only once the in-process gate let the
   * check through, so a storm of triggers does not read settings per trigger either.
   */
  dedupeMinutes: number | (() => Promise<number>);
};

// A storm of triggers (an agent refused thousands of times a second) must not become a storm of
// rule checks holding database connections: in each process, one check per rule, agent and user
// at a time, none while the rule is known to be within its dedupe window, and no waiting on
// another instance's lock. A trigger that arrives while its rule is being checked is not dropped:
// the running check may have counted before the trigger's own row committed (the fifth approval
// request of five, arriving while the fourth's check ran, raised nothing), so the rule is checked
// once more when the running check ends, however many triggers arrived meanwhile. A check that
// found another instance holding the rule's lock tries again a little later, for the same reason.
const inFlight = new Set<string>();
const checkAgain = new Map<string, AlertInput>();
const retrying = new Set<string>();
const quietUntil = new Map<string, number>();
const LOCK_BUSY_RETRY_MS = 200;

export async function raiseAlert(input: AlertInput): Promise<{ id: string } | null> {
  const name = `alert:${input.kind}:${input.agentId ?? '-'}:${input.userId}`;
  if ((quietUntil.get(name) ?? 0) > Date.now()) return null;
  if (inFlight.has(name)) {
    checkAgain.set(name, input);
    return null;
  }
  inFlight.add(name);
  let busy = false;
  try {
    const dedupeMinutes = typeof input.dedupeMinutes === 'number' ? input.dedupeMinutes : await input.dedupeMinutes();
    const outcome = await raise(input, name, dedupeMinutes);
    busy = outcome === 'busy';
    return outcome === 'busy' ? null : outcome;
  } finally {
    inFlight.delete(name);
    const again = checkAgain.get(name);
    checkAgain.delete(name);
    const recheck = (next: AlertInput) => void raiseAlert(next).catch((error: unknown) => log('alerts').error({ err: error }, 'alert check failed'));
    if (again) recheck(again);
    else if (busy && !retrying.has(name)) {
      retrying.add(name);
      setTimeout(() => {
        retrying.delete(name);
        recheck(input);
      }, LOCK_BUSY_RETRY_MS).unref();
    }
  }
}

/** The advisory lock (transaction-scoped) that one instance holds while it checks a rule for an agent and user. */
export function alertLockKey(name: string): bigint {
  return crypto.createHash('sha256').update(name).digest().readBigInt64BE(0);
}

/** The raised alert, null when the rule raised nothing, 'busy' when another instance was checking it. */
async function raise(input: AlertInput, name: string, dedupeMinutes: number): Promise<{ id: string } | null | 'busy'> {
  const lockKey = alertLockKey(name);
  const quiet = () => {
    if (quietUntil.size > 50_000) quietUntil.clear();
    quietUntil.set(name, dedupeMinutes ? Date.now() + dedupeMinutes * 60_000 : Number.POSITIVE_INFINITY);
  };
  const raised = await db().$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${lockKey}) AS locked`;
    if (!lock?.locked) return 'busy' as const; // another instance is checking this very rule now
    // A deleted account gets no new alerts, though its agents may keep knocking with revoked tokens.
    if (!(await tx.user.count({ where: { id: input.userId, status: { not: 'DELETED' } } }))) return null;
    const recent = await tx.alert.count({
      where: {
        userId: input.userId,
        agentId: input.agentId,
        kind: input.kind,
        ...(dedupeMinutes ? { createdAt: { gt: new Date(Date.now() - dedupeMinutes * 60_000) } } : {}),
      },
    });
    if (recent) {
      quiet();
      return null;
    }
    const decided = await input.decide(tx);
    if (!decided) return null;
    return tx.alert.create({
      data: { userId: input.userId, agentId: input.agentId, kind: input.kind, severity: input.severity, message: decided.message, details: decided.details },
      select: { id: true, createdAt: true, message: true, details: true },
    });
  });
  if (!raised || raised === 'busy') return raised;
  quiet();
  // The rule's name without its qualifier (`first_use:<scope>` is the rule first_use).
  metrics().alertsRaised.inc({ rule: input.kind.split(':')[0]!, severity: input.severity.toLowerCase() });
  await afterRaised(input, raised).catch((error) => log('alerts').error({ err: error }, 'follow-up failed'));
  return { id: raised.id };
}

async function afterRaised(input: AlertInput, alert: { id: string; createdAt: Date; message: string; details: unknown }) {
  const settings = await getAlertSettings(input.userId);
  let suspended = false;
  if (input.agentId && settings.autoSuspend && RANK[input.severity] >= RANK[settings.autoSuspend]) {
    const result = await suspendAgent({ userId: input.userId, agentId: input.agentId, ip: 'leash' });
    suspended = result.found;
    if (suspended) {
      await db().$transaction(async (tx) => {
        await tx.alert.update({ where: { id: alert.id }, data: { autoSuspended: true } });
        await appendAuditEvent(tx, {
          action: 'alert.auto_suspend',
          decision: 'ALLOW',
          reason: `alert ${input.kind} (${input.severity.toLowerCase()}) suspended the agent, as the user's alert settings ask`,
          userId: input.userId,
          agentId: input.agentId,
          details: { alert: alert.id, revokedTokens: result.revoked },
        });
      });
    }
  }
  // Email and push when the user's notification settings route this severity there (lib/notifications).
  void notifyAlert({ id: alert.id, userId: input.userId, agentId: input.agentId, severity: input.severity, message: alert.message }).catch((error) =>
    log('alerts').error({ err: error }, 'notification failed'),
  );
  if (settings.webhookUrl && (await alertWantsWebhook(input.userId, input.severity))) {
    void deliverAlert(input.userId, settings.webhookUrl, {
      id: alert.id,
      kind: input.kind,
      severity: input.severity,
      message: alert.message,
      agent_id: input.agentId,
      created_at: alert.createdAt.toISOString(),
      auto_suspended: suspended,
      details: alert.details,
    });
  }
}
