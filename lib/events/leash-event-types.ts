// Leash's events and their payloads (emitted by lib/events/leash-events.ts, heard by
// lib/events/subscribers.ts). Types only, so both sides name them without importing each other.
import type { AuditDecision } from '@/lib/audit/append-audit-event';
import type { CallAction } from '@/lib/audit/events';
import type { ActionName } from '@/lib/scopes/actions';
import type { EventSource } from '@/lib/events/typed-emitter';
import type { LeakNotice } from '@/lib/alerts/leaked-credentials';

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
   * An agent call was allowed and performed (after its row), with the policy's outcome. `userId`
   * is null for an agent acting as itself (client_credentials): no alert rule watches those, only
   * the metrics, so listeners must stay cheap (it is the hottest path).
   */
  'call.allowed': { userId: string | null; agentId: string; action: ActionName; scope: string; outcome: 'allow' | 'notify' };
  /** The token endpoint issued an access token (after its row), by `grant_type` (RFC 6749 §5.1). */
  'token.issued': { grantType: string };
  /** An agent asked a user for just-in-time elevation (after the `elevation.request` row). */
  'elevation.requested': { userId: string; agentId: string; approvalRequestId: string };
  /** The user approved or denied elevation requests (after their rows): `count` requests at once. */
  'elevation.decided': { userId: string; outcome: 'approved' | 'denied'; count: number };
  /** A secret scanning report was acted on (after its `credential.leaked` rows): what was found where, and what Leash did. */
  'credentials.leaked': { notices: LeakNotice[]; replayId: string };
  /** A confirmation of the user's identity failed (after the `step_up.fail` row). */
  'step_up.failed': { userId: string };
};

export type LeashEventSource = EventSource<LeashEvents>;
