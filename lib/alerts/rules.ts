// The anomaly rules (issue 7, capability 7). Each decides from what the audit log and the rate
// limiters already know, with the user's thresholds (lib/alerts/alert-settings.ts), and raises at
// most one alert per window through raiseAlert (lock, dedupe, auto-suspend, webhook). Rules never
// change the answer to the request that triggered them; a failing rule is only logged.
import 'server-only';
import { db } from '@/lib/db/client';
import { getAlertSettings } from '@/lib/alerts/alert-settings';
import { raiseAlert } from '@/lib/alerts/raise-alert';
import { SCOPES } from '@/lib/oauth/scopes';

const agentName = async (agentId: string) => (await db().agent.findUnique({ where: { id: agentId }, select: { name: true } }))?.name ?? 'An agent';
const logged = (rule: string) => (error: unknown) => console.error(`[alerts] ${rule} rule failed:`, error);

/** Many refused calls by one agent for one user in a short window: possible prompt-injection probing. */
export async function checkDeniedCalls(options: { userId: string; agentId: string }): Promise<boolean> {
  const { deniedCalls } = (await getAlertSettings(options.userId)).thresholds;
  const raised = await raiseAlert({
    ...options,
    kind: 'denied_calls',
    severity: 'WARNING',
    dedupeMinutes: deniedCalls.windowMinutes,
    decide: async (tx) => {
      const since = new Date(Date.now() - deniedCalls.windowMinutes * 60_000);
      const denied = await tx.auditEvent.count({ where: { userId: options.userId, agentId: options.agentId, decision: 'DENY', createdAt: { gt: since } } });
      if (denied < deniedCalls.count) return null;
      return {
        message: `${await agentName(options.agentId)} was refused ${denied} times in ${deniedCalls.windowMinutes} minutes. It may be probing what it is allowed to do; check its recent activity, and stop it if this is not expected.`,
        details: { denied, windowMinutes: deniedCalls.windowMinutes },
      };
    },
  });
  return raised !== null;
}

/** A call outside the hours the user's policy allows for this agent (at most one alert an hour). */
export function checkOutsideTimeWindow(options: { userId: string; agentId: string; action: string }): Promise<unknown> {
  return raiseAlert({
    ...options,
    kind: 'outside_time_window',
    severity: 'WARNING',
    dedupeMinutes: 60,
    decide: async () => ({
      message: `${await agentName(options.agentId)} tried to ${options.action} outside the hours its policy allows. It was refused; check whether it is running when it should not.`,
      details: { action: options.action },
    }),
  }).catch(logged('time-window'));
}

/** The first allowed use of a high-risk scope by an agent for a user (once per scope, ever). */
export async function checkFirstHighRiskUse(options: { userId: string; agentId: string; scope: string; action: string }): Promise<void> {
  if (SCOPES[options.scope as keyof typeof SCOPES]?.risk !== 'high') return;
  await raiseAlert({
    userId: options.userId,
    agentId: options.agentId,
    kind: `first_use:${options.scope}`,
    severity: 'INFO',
    dedupeMinutes: 0,
    decide: async () => ({
      message: `${await agentName(options.agentId)} used ${options.scope} for the first time (${options.action}). If you did not expect this, suspend it.`,
      details: { scope: options.scope, action: options.action },
    }),
  }).catch(logged('first-use'));
}

/**
 * An agent refused at the token endpoint for flooding it: an alert for every user who granted it
 * access, once their threshold of refusals within the window is reached.
 */
export async function noteTokenFlood(options: { agentId: string }): Promise<void> {
  const grants = await db().grant.findMany({ where: { agentId: options.agentId, status: 'ACTIVE' }, select: { userId: true }, take: 100 });
  for (const { userId } of grants) {
    const { tokenFlood } = (await getAlertSettings(userId)).thresholds;
    await raiseAlert({
      userId,
      agentId: options.agentId,
      kind: 'token_flood',
      severity: 'WARNING',
      dedupeMinutes: tokenFlood.windowMinutes,
      decide: async (tx) => {
        const since = new Date(Date.now() - tokenFlood.windowMinutes * 60_000);
        const refused = await tx.auditEvent.count({ where: { agentId: options.agentId, action: 'token.flood', createdAt: { gt: since } } });
        if (refused < tokenFlood.count) return null;
        return {
          message: `${await agentName(options.agentId)} asked for tokens faster than allowed and was slowed down (${refused} times in ${tokenFlood.windowMinutes} minutes). A stuck loop or a stolen client secret looks like this.`,
          details: { refused, windowMinutes: tokenFlood.windowMinutes },
        };
      },
    }).catch(logged('token-flood'));
  }
}

/** Failed second-factor or password confirmations of the user's own session. */
export async function checkStepUpFailures(options: { userId: string }): Promise<void> {
  const { stepUpFailures } = (await getAlertSettings(options.userId)).thresholds;
  await raiseAlert({
    userId: options.userId,
    agentId: null,
    kind: 'step_up_failures',
    severity: 'CRITICAL',
    dedupeMinutes: stepUpFailures.windowMinutes,
    decide: async (tx) => {
      const since = new Date(Date.now() - stepUpFailures.windowMinutes * 60_000);
      const failed = await tx.auditEvent.count({ where: { userId: options.userId, action: 'step_up.fail', createdAt: { gt: since } } });
      if (failed < stepUpFailures.count) return null;
      return {
        message: `Someone failed to confirm your identity ${failed} times in ${stepUpFailures.windowMinutes} minutes (wrong codes, passkeys or passwords). If it was not you, sign out your other sessions and change your password.`,
        details: { failed, windowMinutes: stepUpFailures.windowMinutes },
      };
    },
  }).catch(logged('step-up'));
}
