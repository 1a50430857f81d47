// Who listens to Leash's events: the alert rules (lib/alerts/rules.ts), the metrics
// (lib/events/count-events.ts) and the approval notifications (lib/notifications/notify-approval.ts). The wiring point, and the
// only file outside lib/alerts that imports the rules: the emitter (lib/events/leash-events.ts)
// loads it itself in every copy of lib/ that emits. The rules stay plain functions that know
// nothing of events, so the folders depend one way (events → alerts). Each listener keys on the
// event's typed fields: the decision, the action and the id of the policy rule that decided, never
// on the reason's words. Rules never change an answer; a failing rule is logged (here, and by the emitter).
import 'server-only';
import type { LeashEventSource } from '@/lib/events/leash-event-types';
import { TIME_WINDOW_RULE } from '@/lib/policy/compile-policy';
import { countEvents } from '@/lib/events/count-events';
import { alertRefreshTokenReuse, checkApprovalRequests, checkDeniedCalls, checkFirstHighRiskUse, checkOutsideTimeWindow, checkStepUpFailures, noteTokenFlood } from '@/lib/alerts/rules';
import { alertLeakedCredentials } from '@/lib/alerts/leaked-credentials';
import { log } from '@/lib/log/logger';
import { notifyApproval } from '@/lib/notifications/notify-approval';

const logged = (rule: string) => (error: unknown) => log('alerts').error({ err: error, rule }, 'rule failed');

export function subscribe(events: LeashEventSource): void {
  events.on('refresh_token.reused', async ({ userId, agentId, familyId, ip }) => {
    if (userId) await alertRefreshTokenReuse({ userId, agentId, familyId, ip }).catch(logged('refresh-reuse'));
  });
  events.on('call.refused', async ({ userId, agentId, decision }) => {
    if (decision === 'DENY' && userId && agentId) await checkDeniedCalls({ userId, agentId }).catch(logged('denied-calls'));
  });
  events.on('call.refused', async ({ userId, agentId, decision, policyRule, action }) => {
    if (decision === 'DENY' && userId && agentId && policyRule === TIME_WINDOW_RULE) await checkOutsideTimeWindow({ userId, agentId, action });
  });
  events.on('call.allowed', ({ userId, agentId, scope, action }) => userId && checkFirstHighRiskUse({ userId, agentId, scope, action }));
  events.on('token.flooded', ({ agentId }) => noteTokenFlood({ agentId }).catch(logged('token-flood')));
  events.on('elevation.requested', ({ userId, agentId }) => checkApprovalRequests({ userId, agentId }));
  // The person hears of the request wherever they are (issue 17): email, Web Push, webhook.
  events.on('elevation.requested', ({ userId, approvalRequestId }) => notifyApproval({ userId, approvalRequestId, kind: 'approval_requested' }).catch(logged('notify-approval')));
  events.on('credentials.leaked', ({ notices, replayId }) => alertLeakedCredentials(notices, replayId).catch(logged('leaked-credentials')));
  events.on('step_up.failed', ({ userId }) => checkStepUpFailures({ userId }));
  countEvents(events);
}
