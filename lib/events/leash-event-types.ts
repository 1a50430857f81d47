// Leash's events and their payloads (emitted by lib/events/leash-events.ts, heard by
// lib/events/subscribers.ts). Types only, so both sides name them without importing each other.
import type { AuditDecision } from '@/lib/audit/append-audit-event';
import type { CallAction } from '@/lib/audit/events';
import type { ActionName } from '@/lib/scopes/actions';
import type { EventSource } from '@/lib/events/typed-emitter';

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
