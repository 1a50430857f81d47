// The anomaly rules (issue 7, capability 7), run as listeners of Leash's events
// (lib/events/subscribers.ts). Each decides from what the audit log and the rate limiters
// already know, with the user's thresholds (lib/alerts/alert-settings.ts), and raises at most one
// alert per window through raiseAlert (lock, dedupe, auto-suspend, webhook). Rules never
// change the answer to the request that triggered them; a failing rule is only logged. The actions
// they count are names from the audit catalog (lib/audit/events.ts), checked by the compiler.
import 'server-only';
import { db } from '@/lib/db/client';
import { getAlertSettings, type Thresholds } from '@/lib/alerts/alert-settings';
import { raiseAlert, type Severity } from '@/lib/alerts/raise-alert';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { AuditAction, CallAction } from '@/lib/audit/events';
import { SCOPES } from '@/lib/scopes/scopes';
import { describeAction, describeScope } from '@/lib/words/plain-words';
import { log } from '@/lib/log/logger';

const agentName = async (agentId: string) => (await db().agent.findUnique({ where: { id: agentId }, select: { name: true } }))?.name ?? 'An agent';
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
const logged = (rule: string) => (error: unknown) => log('alerts').error({ err: error, rule }, 'rule failed');

type CountingRule = {
  userId: string;
  agentId: string | null;
  kind: string;
  severity: Severity;
  threshold: (thresholds: Thresholds) => { count: number; windowMinutes: number };
  /** The audit rows this rule counts, since the window began. */
  count: (tx: Prisma.TransactionClient, since: Date) => Promise<number>;
  message: (counted: number, windowMinutes: number) => Promise<string>;
};

/**
 * A rule that fires once `count` reaches the user's threshold within the window (at most one
 * alert per window). The user's settings are read only when the check actually runs.
 */
function countingRule(rule: CountingRule): Promise<{ id: string } | null> {
  let limits: Promise<{ count: number; windowMinutes: number }> | undefined;
  const threshold = () => (limits ??= getAlertSettings(rule.userId).then((s) => rule.threshold(s.thresholds)));
  return raiseAlert({
    userId: rule.userId,
    agentId: rule.agentId,
    kind: rule.kind,
    severity: rule.severity,
    dedupeMinutes: async () => (await threshold()).windowMinutes,
    decide: async (tx) => {
      const { count, windowMinutes } = await threshold();
      const counted = await rule.count(tx, new Date(Date.now() - windowMinutes * 60_000));
      if (counted < count) return null;
      return { message: await rule.message(counted, windowMinutes), details: { counted, windowMinutes } };
    },
  });
}

/** A refresh token presented twice: its family was revoked; the user is told (critical). */
export function alertRefreshTokenReuse(options: { userId: string; agentId: string; familyId: string; ip: string }): Promise<unknown> {
  return raiseAlert({
    userId: options.userId,
    agentId: options.agentId,
    kind: 'refresh_token_reuse',
    severity: 'CRITICAL',
    dedupeMinutes: 1,
    decide: async () => ({
      message: 'A refresh token was used twice. Someone may have copied it; every token of that session was revoked.',
      details: { family: options.familyId, ip: options.ip },
    }),
  });
}

/** Many refused calls by one agent for one user in a short window: possible prompt-injection probing. */
export async function checkDeniedCalls(options: { userId: string; agentId: string }): Promise<boolean> {
  const raised = await countingRule({
    ...options,
    kind: 'denied_calls',
    severity: 'WARNING',
    threshold: (t) => t.deniedCalls,
    count: (tx, since) => tx.auditEvent.count({ where: { userId: options.userId, agentId: options.agentId, decision: 'DENY', createdAt: { gt: since } } }),
    message: async (denied, minutes) =>
      `${await agentName(options.agentId)} was refused ${denied} times in ${minutes} minutes. It may be probing what it is allowed to do; check its recent activity, and stop it if this is not expected.`,
  });
  return raised !== null;
}

/** A call outside the hours the user's policy allows for this agent (at most one alert an hour). */
export function checkOutsideTimeWindow(options: { userId: string; agentId: string; action: CallAction }): Promise<unknown> {
  return raiseAlert({
    ...options,
    kind: 'outside_time_window',
    severity: 'WARNING',
    dedupeMinutes: 60,
    decide: async () => ({
      message: `${await agentName(options.agentId)} tried to ${lowerFirst(describeAction(options.action))} outside the hours its policy allows. It was refused; check whether it is running when it should not.`,
      details: { action: options.action },
    }),
  }).catch(logged('time-window'));
}

/** The first allowed use of a high-risk scope by an agent for a user (once per scope, ever). */
export function checkFirstHighRiskUse(options: { userId: string; agentId: string; scope: string; action: string }): Promise<void> | undefined {
  // Decided at once for every other scope: this runs after every allowed call, the hottest path.
  if (SCOPES[options.scope as keyof typeof SCOPES]?.risk !== 'high') return undefined;
  return raiseAlert({
    userId: options.userId,
    agentId: options.agentId,
    kind: `first_use:${options.scope}`,
    severity: 'INFO',
    dedupeMinutes: 0,
    decide: async () => ({
      message: `${await agentName(options.agentId)} used its permission to “${lowerFirst(describeScope(options.scope))}” for the first time (${lowerFirst(describeAction(options.action))}). If you did not expect this, suspend it.`,
      details: { scope: options.scope, action: options.action },
    }),
  }).then(() => undefined, logged('first-use'));
}

// The flood rule looks at each flooding client at most every ten seconds: a flood must not turn
// into a flood of grant lookups.
const floodChecked = new Map<string, number>();

/**
 * An agent refused at the token endpoint for flooding it: an alert for every user who granted it
 * access, once their threshold of refusals within the window is reached.
 */
export async function noteTokenFlood(options: { agentId: string }): Promise<void> {
  const now = Date.now();
  if ((floodChecked.get(options.agentId) ?? 0) > now - 10_000) return;
  if (floodChecked.size > 10_000) floodChecked.clear();
  floodChecked.set(options.agentId, now);
  const grants = await db().grant.findMany({ where: { agentId: options.agentId, status: 'ACTIVE' }, select: { userId: true }, take: 100 });
  for (const { userId } of grants) {
    await countingRule({
      userId,
      agentId: options.agentId,
      kind: 'token_flood',
      severity: 'WARNING',
      threshold: (t) => t.tokenFlood,
      count: (tx, since) => tx.auditEvent.count({ where: { agentId: options.agentId, action: 'token.flood' satisfies AuditAction, createdAt: { gt: since } } }),
      message: async (refused, minutes) =>
        `${await agentName(options.agentId)} asked for tokens faster than allowed and was slowed down (${refused} times in ${minutes} minutes). A stuck loop or a stolen client secret looks like this.`,
    }).catch(logged('token-flood'));
  }
}

/** Failed second-factor or password confirmations of the user's own session. */
export async function checkStepUpFailures(options: { userId: string }): Promise<void> {
  await countingRule({
    userId: options.userId,
    agentId: null,
    kind: 'step_up_failures',
    severity: 'CRITICAL',
    threshold: (t) => t.stepUpFailures,
    count: (tx, since) => tx.auditEvent.count({ where: { userId: options.userId, action: 'step_up.fail' satisfies AuditAction, createdAt: { gt: since } } }),
    message: async (failed, minutes) =>
      `Someone failed to confirm your identity ${failed} times in ${minutes} minutes (wrong codes, passkeys or passwords). If it was not you, sign out your other sessions and change your password.`,
  }).catch(logged('step-up'));
}

/**
 * One agent filing many approval requests in a short window: an agent pressing the person to say yes
 * (approval fatigue is how a compromised agent gets its payment through). Counted from the audit log.
 */
export async function checkApprovalRequests(options: { userId: string; agentId: string }): Promise<void> {
  await countingRule({
    ...options,
    kind: 'approval_requests',
    severity: 'WARNING',
    threshold: (t) => t.approvalRequests,
    count: (tx, since) => tx.auditEvent.count({ where: { userId: options.userId, agentId: options.agentId, action: 'elevation.request' satisfies AuditAction, createdAt: { gt: since } } }),
    message: async (asked, minutes) =>
      `${await agentName(options.agentId)} asked for your approval ${asked} times in ${minutes} minutes. Approve nothing you did not expect; deny them together in Approvals, and stop the agent if this is not normal.`,
  }).catch(logged('approval-requests'));
}
