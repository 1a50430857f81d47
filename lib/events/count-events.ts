// The metrics that Leash's events already tell (issue 19 §3): tokens issued by grant type, agent
// calls by decision and the policy's outcomes, approvals, refresh-token reuse, token floods. Each
// listener is one synchronous increment (no await, no query), so the hottest paths that emit
// (an allowed call, an issued token) pay next to nothing for it. Events carry ids for the alert
// rules; none of them reaches a label (lib/metrics/metrics.ts: closed label sets only).
import 'server-only';
import type { LeashEventSource } from '@/lib/events/leash-event-types';
import { GRANT_LABELS, metrics } from '@/lib/metrics/metrics';

const DECISION = { DENY: 'deny', STEP_UP: 'step_up', APPROVAL: 'approval' } as const;
const POLICY_OUTCOME = { DENY: 'deny', STEP_UP: 'step_up', APPROVAL: 'approval_required' } as const;

export function countEvents(events: LeashEventSource): void {
  const m = metrics();
  const allowedCalls = m.agentCalls.labels({ decision: 'allow' });
  const policyAllow = m.policyDecisions.labels({ outcome: 'allow' });
  const policyNotify = m.policyDecisions.labels({ outcome: 'notify' });
  events.on('call.allowed', ({ outcome }) => {
    allowedCalls.inc();
    (outcome === 'notify' ? policyNotify : policyAllow).inc();
  });
  events.on('call.refused', ({ decision, policyRule }) => {
    m.agentCalls.inc({ decision: DECISION[decision] });
    // Refused by the policy itself (it names its rule), not before it (token, scope, rate limit).
    if (policyRule !== null) m.policyDecisions.inc({ outcome: POLICY_OUTCOME[decision] });
  });
  events.on('token.issued', ({ grantType }) => m.tokensIssued.inc({ grant_type: GRANT_LABELS[grantType] ?? 'other' }));
  events.on('refresh_token.reused', () => m.refreshReuse.inc());
  events.on('token.flooded', () => m.tokenFloods.inc());
  events.on('elevation.requested', () => m.approvals.inc({ state: 'requested' }));
  events.on('elevation.decided', ({ outcome, count }) => m.approvals.inc({ state: outcome }, count));
}
