// What the protocol core and the resource server tell the rest of Leash (issue 13, item 4;
// node-oidc-provider's provider events): each event is emitted *after* the audit row it follows
// has committed, and carries typed fields (action, decision, policy rule id), never prose to
// match. The alert rules (lib/alerts/subscribe-alerts.ts) listen; the emitters (lib/oauth,
// lib/resource, lib/endpoints) know nothing of them, so neither folder imports lib/alerts.
// Listening is best-effort: a failing listener is logged and never fails the request.
//
// Wiring (the one place subscriptions are registered): emitEvent loads the subscribers itself,
// with a dynamic import on the first event. The production server loads lib/ twice in one process
// (the Next bundle, and the `node:http` fast path in server/fast-path.ts: docs/performance.md), and
// each copy has its own emitter; because the emitter registers its own subscribers, every copy
// that can emit an event also has its listeners, whichever mount, route or script emitted it, and
// no route file has to remember an import. Dynamic rather than static: nothing that merely emits
// (a grant, an operation) pulls the alert rules into its module graph, and no evaluation-order
// cycle can form between the emitters and what the listeners import.
import 'server-only';
import type { AuditDecision } from '@/lib/audit/append-audit-event';
import type { CallAction } from '@/lib/audit/events';
import type { ActionName } from '@/lib/policy/actions';
import { TypedEmitter, type EventSource } from '@/lib/events/typed-emitter';

export type LeashEvents = {
  /** A used refresh token was presented again and its family revoked (after the `refresh.reuse` row). */
  'refresh_token.reused': { userId: string | null; agentId: string; familyId: string; ip: string };
  /** The token endpoint refused a client for flooding it (after the `token.flood` row). */
  'token.flooded': { agentId: string };
  /** An agent call was refused, or sent to step-up or approval (after its row, decision not ALLOW). */
  'call.refused': {
    userId: string | null;
    agentId: string | null;
    action: CallAction;
    decision: Exclude<AuditDecision, 'ALLOW'>;
    /** The id of the policy rule that decided (`PolicyDecision.rule`), when the policy decided. */
    policyRule: string | null;
  };
  /**
   * An agent call for a user was allowed and performed (after its row). Not emitted for an agent
   * acting as itself (client_credentials): no rule watches those, and it is the hottest path.
   */
  'call.allowed': { userId: string; agentId: string; action: ActionName; scope: string };
  /** An agent asked a user for just-in-time elevation (after the `elevation.request` row). */
  'elevation.requested': { userId: string; agentId: string };
  /** A confirmation of the user's identity failed (after the `step_up.fail` row). */
  'step_up.failed': { userId: string };
};

export type LeashEventSource = EventSource<LeashEvents>;

const emitter = new TypedEmitter<LeashEvents>('events');
let subscribed: Promise<void> | null = null;
let ready = false;

function subscribe(): Promise<void> {
  subscribed ??= import('@/lib/alerts/subscribe-alerts')
    .then(({ subscribeAlerts }) => {
      subscribeAlerts(emitter);
      ready = true;
    })
    .catch((error: unknown) => {
      // Retried on the next event; this one goes unheard (alerts are best-effort).
      subscribed = null;
      console.error('[events] the subscribers could not be loaded:', error);
    });
  return subscribed;
}

/**
 * Tells the listeners, once the audit row this event follows has committed. Resolves when they
 * have all run and never rejects; `void` it where the request must not wait for them.
 */
export function emitEvent<K extends keyof LeashEvents>(event: K, payload: LeashEvents[K]): Promise<void> {
  return ready ? emitter.emit(event, payload) : subscribe().then(() => emitter.emit(event, payload));
}
