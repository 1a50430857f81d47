// The audit vocabulary (issue 13, REVIEW W4): every action the log records, the words a person
// reads for it, and the shape of its `details`. The writers (lib/audit/append-audit-event.ts,
// lib/audit/audit-group-commit.ts) take `{ action: A, details: DetailsOf<A> }`, so a misspelt
// action or a wrong details field is a TypeScript error; the alert rules count these names, the
// audit browser offers them as its action filter and shows their words, and the export's filter is
// checked against them. Pure and free of server imports: client components read the labels.
//
// ┌───────────────────────────────────────────────────────────────────────────────────────────┐
// │ CHANGING A DETAILS SHAPE (or renaming an action) NEEDS A MIGRATION OR A COMPATIBILITY NOTE. │
// │ Rows are hash-chained (their content, details included, is under the hash: a stored row   │
// │ can never be rewritten) and exported to SIEMs, which parse them. So old rows keep the old   │
// │ shape forever: add optional fields rather than rename them, never drop an action that was   │
// │ ever written (the browser filters and labels old rows with this catalog), and write the     │
// │ change in docs/ for the people reading exports.                                            │
// └───────────────────────────────────────────────────────────────────────────────────────────┘
//
// Schemas are strict (an extra field is a mismatch) and describe the rows exactly as written
// today; they are not parsed on the write path (the token endpoint and the API write a row per
// request, and the types already hold the writers to them). lib/audit/events.test.ts checks that
// each schema accepts what its writers produce.
import { z } from 'zod';
import { ACTION_NAMES, ACTIONS, type ActionName } from '@/lib/scopes/actions';

const count = z.number().int().nonnegative();
const id = z.string();
const isoTime = z.string();
/** RFC 9396 authorization_details as the request carried them (validated where they were read). */
const authorizationDetails = z.array(z.looseObject({ type: z.string() }));
const threshold = z.strictObject({ count: z.number().int(), windowMinutes: z.number().int() });

/** An audit action: its words, and its `details` (`z.undefined()`: the row has none). */
type AuditEventSpec = { label: string; details: z.ZodType };
const noDetails = z.undefined();

/** The agent call actions (lib/scopes/actions.ts) and the MCP connection: one shape for all. */
const callDetails = z
  .strictObject({
    /** The HTTP status of the answer (an allowed call). */
    status: z.number().int(),
    /** The MCP tool, when the call came through /mcp. */
    tool: z.string().optional(),
    /** The policy asked to be told of this call (risk tier `notify`). */
    notify: z.literal(true).optional(),
  })
  // A refused call has no details.
  .optional();

const CALL_EVENTS = Object.fromEntries(ACTION_NAMES.map((name) => [name, { label: ACTIONS[name].label, details: callDetails }])) as {
  [A in ActionName]: { label: (typeof ACTIONS)[A]['label']; details: typeof callDetails };
};

const OTHER_EVENTS = {
  'mcp.request': { label: 'Connect through MCP', details: callDetails },

  // Tokens (lib/tokens/, lib/oauth/grants/)
  'token.issue': {
    label: 'Token issued',
    details: z.strictObject({
      grant_type: z.string(),
      kind: z.enum(['ACCESS', 'REFRESH']),
      /** RFC 6749 §3.3: what was asked for, when less was issued. */
      requested_scopes: z.array(z.string()).optional(),
      jit: z.literal(true).optional(),
      expires_at: isoTime,
      dpop_jkt: z.string().optional(),
      /** An RFC 9068 JWT access token: the `kid` of the key that signed it. */
      jwt_kid: z.string().optional(),
      /** Exchanged for an API key (lib/oauth/exchange-api-key.ts): the key's id. */
      api_key: id.optional(),
    }),
  },
  'token.refuse': {
    label: 'Token refused',
    // None when the policy could not be loaded; `grant_type` from the client_credentials grant.
    details: z.strictObject({ error: z.string(), revoked: count.optional(), grant_type: z.string().optional() }).optional(),
  },
  'token.exchange': {
    label: 'Token passed on or narrowed',
    details: z
      .union([
        // Narrowed (RFC 8693 without an actor).
        z.strictObject({
          parent_token_id: id,
          from_scopes: z.array(z.string()),
          to_scopes: z.array(z.string()),
          from_audience: z.array(z.string()),
          to_audience: z.array(z.string()),
          expires_in: z.number().int(),
          dpop_jkt: z.string().optional(),
          /** How many authorization_details the narrowed token carries. */
          authorization_details: count.optional(),
        }),
        // Narrowing refused; an API key exchange refused (`api_key`: the key's id, when it was found).
        z.strictObject({ error: z.string(), subject_token_id: id.optional(), api_key: id.optional() }),
      ])
      // A refused delegation (lib/oauth/grants/token-exchange.ts) has none.
      .optional(),
  },
  'token.revoke': { label: 'Token revoked', details: z.strictObject({ kind: z.enum(['ACCESS', 'REFRESH']), revoked: count }) },
  'token.revoke_all': {
    label: 'Every token revoked',
    // `apiKeys`: added with API keys (issue 15 §4), absent from older rows.
    details: z.strictObject({ revoked: count, grants: count, approvals: count, apiKeys: count.optional() }),
  },
  'token.flood': { label: 'Too many token requests', details: noDetails },
  'refresh.reuse': { label: 'Refresh token used twice', details: z.strictObject({ family: id, family_size: count, revoked: count }) },
  'code.replay': { label: 'Authorization code used twice', details: z.strictObject({ authorization_request: id, revoked: count }) },
  // lib/secret-scanning/report-leaked-credentials.ts (docs/secret-scanning.md): one row per credential found
  'credential.leaked': {
    label: 'Credential found in public',
    details: z.strictObject({
      credential: z.enum(['access_token', 'refresh_token', 'client_secret', 'registration_access_token', 'api_key']),
      /** Where it was found and what kind of place that is, as the scanner reported them. */
      url: z.string(),
      source: z.string(),
      /** The scanner's name for the pattern that found it (GitHub's `type`). */
      type: z.string(),
      reporter: z.literal('github'),
      /** Tokens revoked with it: its refresh family, or every token of an agent whose secret leaked. */
      revoked: count,
      /** What else was done: the agent suspended and its secret voided, the registration token or the API's secret voided. */
      outcome: z.enum(['revoked', 'agent_suspended', 'registration_token_voided', 'resource_secret_voided']),
    }),
  },

  // Agents' API keys (lib/api-keys/manage-api-keys.ts, docs/api-keys.md)
  'api_key.create': {
    label: 'API key made',
    details: z.strictObject({ api_key: id, name: z.string(), expires_at: isoTime, ip_ranges: z.array(z.string()) }),
  },
  'api_key.rotate': {
    label: 'API key replaced',
    /** `api_key`: the new key; `replaced`: the old one, revoked with its tokens. */
    details: z.strictObject({ api_key: id, replaced: id, expires_at: isoTime, revokedTokens: count }),
  },
  'api_key.revoke': { label: 'API key revoked', details: z.strictObject({ api_key: id, revokedTokens: count }) },

  // Consent and grants
  'consent.grant': { label: 'Access allowed', details: z.strictObject({ authorization_request: id, grant: id }) },
  'consent.deny': { label: 'Access denied', details: z.strictObject({ authorization_request: id, error: z.string() }) },
  // `revokedApiKeys`: added with API keys (issue 15 §4), absent from older rows.
  'grant.revoke': { label: 'Access revoked', details: z.strictObject({ grants: count, revokedTokens: count, revokedApiKeys: count.optional() }) },
  'agent.suspend': { label: 'Agent stopped', details: z.strictObject({ grants: count, revokedTokens: count }) },
  'agent.resume': { label: 'Agent resumed', details: z.strictObject({ grants: count }) },
  'alert.auto_suspend': { label: 'Agent stopped by an alert', details: z.strictObject({ alert: id, revokedTokens: count }) },

  // Clients (RFC 7591, RFC 7592, client ID metadata documents)
  'client.register': {
    label: 'Agent registered itself',
    details: z.strictObject({ client_id: z.string(), grant_types: z.array(z.string()), token_endpoint_auth_method: z.string() }),
  },
  'client.discover': { label: 'Agent identified by its domain', details: z.strictObject({ client_id: z.string(), domain: z.string() }) },
  'client.update': { label: 'Agent registration changed', details: noDetails },
  'client.delete': { label: 'Agent registration deleted', details: noDetails },

  // Policies and just-in-time elevation (CIBA)
  'policy.update': { label: 'Policy changed', details: z.strictObject({ version: z.number().int(), handWritten: z.boolean() }) },
  'elevation.request': {
    label: 'Approval requested',
    details: z.strictObject({ approval_request: id, authorization_details: authorizationDetails.optional() }),
  },
  'elevation.refuse': {
    label: 'Approval request refused by the policy',
    details: z.strictObject({ policy_rule: z.string(), authorization_details: authorizationDetails.optional() }),
  },
  'elevation.approve': {
    label: 'Approval given',
    details: z.strictObject({ approval_request: id, second_factor: z.enum(['totp', 'recovery', 'passkey']).optional() }),
  },
  'elevation.deny': {
    label: 'Approval refused',
    details: z.strictObject({ approval_request: id, second_factor: z.enum(['totp', 'recovery', 'passkey']).optional(), bulk: z.literal(true).optional() }),
  },
  // lib/notifications/approval-clock.ts: nobody decided in time; the agent's poll answers expired_token.
  'elevation.expire': { label: 'Approval request expired', details: z.strictObject({ approval_request: id }) },

  // Notifications (lib/notifications/, issue 17): every message sent, or deliberately not sent.
  'notification.send': {
    label: 'Notification sent',
    details: z.strictObject({
      channel: z.enum(['email', 'push', 'webhook']),
      // `digest` added with the daily digest: absent from older rows.
      event: z.enum(['approval_requested', 'approval_expiring', 'alert', 'digest', 'test']),
      outcome: z.enum(['sent', 'failed', 'skipped']),
      /** Where it went, in words (the address, the device, the webhook's host). */
      target: z.string(),
      detail: z.string().optional(),
      approval_request: id.optional(),
      /** A daily digest: the day it sums up (YYYY-MM-DD, the user's time zone); absent for one sent on request. */
      digest_for: z.string().optional(),
    }),
  },
  'account.notification_settings': {
    label: 'Notification settings changed',
    details: z.strictObject({
      email: z.array(z.string()),
      push: z.array(z.string()),
      webhook: z.array(z.string()),
      quietHours: z.strictObject({ start: z.string(), end: z.string() }).nullable(),
      reminderMinutes: z.number().int(),
      // Added with the daily digest: absent from older rows.
      digest: z.strictObject({ enabled: z.boolean(), hour: z.number().int() }).optional(),
    }),
  },
  'account.push_subscribe': { label: 'Device added for push notifications', details: z.strictObject({ subscription: id, device: z.string() }) },
  'account.push_unsubscribe': {
    label: 'Device removed from push notifications',
    details: z.strictObject({ subscription: id, device: z.string(), reason: z.enum(['user', 'gone']) }),
  },

  // The user's own session and account
  'session.step_up': { label: 'Second factor confirmed', details: noDetails },
  'session.reauthenticate': { label: 'Password confirmed again', details: noDetails },
  'step_up.fail': { label: 'Identity check failed', details: noDetails },
  'factor.totp_enrol': { label: 'Authenticator app added', details: noDetails },
  'factor.totp_remove': { label: 'Authenticator app removed', details: noDetails },
  'factor.passkey_enrol': { label: 'Passkey added', details: noDetails },
  'account.settings': {
    label: 'Settings changed',
    details: z.strictObject({ timeZone: z.string(), intentStorage: z.enum(['OFF', 'HASHED', 'FULL']), intentRetentionDays: z.number().int() }),
  },
  'account.alert_settings': {
    label: 'Alert settings changed',
    details: z.strictObject({
      thresholds: z.strictObject({ deniedCalls: threshold, tokenFlood: threshold, stepUpFailures: threshold, approvalRequests: threshold }),
      webhookUrl: z.string().nullable(),
      autoSuspend: z.enum(['INFO', 'WARNING', 'CRITICAL']).nullable(),
    }),
  },
  'account.webhook_secret': { label: 'New webhook secret', details: noDetails },
  'account.password_change': {
    label: 'Password changed',
    // None when the current password was wrong (decision DENY).
    details: z.strictObject({ endedSessions: count }).optional(),
  },
  'account.password_reset_issue': {
    label: 'Password reset link made',
    details: z.strictObject({ administrator: id, expiresAt: isoTime, voidedEarlierLinks: count }),
  },
  'account.password_reset': { label: 'Password reset with a link', details: z.strictObject({ administrator: id.nullable(), endedSessions: count }) },
  'account.delete': {
    label: 'Account deleted',
    // What was deleted, by kind. None when the password was wrong (decision DENY).
    details: z
      .strictObject({
        sessions: count,
        authorizationRequests: count,
        approvalRequests: count,
        passwordResets: count,
        policies: count,
        alerts: count,
        alertSettings: count,
        reports: count,
        invoices: count,
        payments: count,
        workflowRuns: count,
        recoveryCodes: count,
        passkeys: count,
        intentTexts: count,
        revokedTokens: count,
        revokedGrants: count,
        suspendedOwnedAgents: count,
        // Added with notifications (issue 17): absent from older rows.
        pushSubscriptions: count.optional(),
        notificationSettings: count.optional(),
        notificationDeliveries: count.optional(),
        // Added with API keys (issue 15 §4).
        revokedApiKeys: count.optional(),
      })
      .optional(),
  },

  // The AuthZEN PDP (issue 14 §3, lib/authzen/): a resource server asked whether an agent may act.
  'authzen.evaluation': {
    label: 'Decision asked by an API',
    details: z.strictObject({
      /** The asking resource server's identifier. */
      resource_server: z.string(),
      /** The API's own action name, and what it acts on (AuthZEN `action.name`, `resource`). */
      action: z.string(),
      resource_type: z.string(),
      resource_id: z.string(),
      /** The policy's outcome; absent when no decision could be made (`error`). */
      outcome: z.enum(['allow', 'notify', 'step_up', 'approval', 'deny']).optional(),
      policy_rule: z.string().optional(),
      /** Why nothing was evaluated, as an HTTP status (AuthZEN §7.2.1). */
      error: z.number().int().optional(),
      /** The PEP's X-Request-ID (AuthZEN §10.1.3). */
      pep_request_id: z.string().optional(),
    }),
  },

  // The deployment and the log itself
  'resource.register': {
    label: 'API registered as a protected resource',
    details: z.strictObject({ identifier: z.string(), scopes: z.array(z.string()), tokenFormat: z.enum(['opaque', 'jwt']), authMethod: z.string() }),
  },
  'resource.delete': { label: 'Protected resource removed', details: z.strictObject({ identifier: z.string(), revokedTokens: count }) },
  'resource.secret_rotate': { label: "Protected resource's secret replaced", details: z.strictObject({ identifier: z.string() }) },
  'deployment.registration_mode': { label: 'Self-registration of agents switched', details: z.strictObject({ mode: z.string() }) },
  'audit.intent_purge': { label: 'Stored instructions deleted after their retention period', details: z.strictObject({ purged: count, before: isoTime }) },
} satisfies Record<string, AuditEventSpec>;

export const AUDIT_EVENTS = { ...CALL_EVENTS, ...OTHER_EVENTS } satisfies Record<string, AuditEventSpec>;

export type AuditAction = keyof typeof AUDIT_EVENTS;
/** The `details` an action's row carries (`undefined` where it has none). */
export type DetailsOf<A extends AuditAction> = z.input<(typeof AUDIT_EVENTS)[A]['details']>;
/** What an agent call's row records: one of the API's actions, or the MCP connection itself. */
export type CallAction = ActionName | 'mcp.request';
/** An allowed call's details (a refused call has none). */
export type CallDetails = NonNullable<z.input<typeof callDetails>>;

/** Every action, in catalog order (the agents' API first). */
export const AUDIT_ACTIONS = Object.keys(AUDIT_EVENTS) as AuditAction[];

export function isAuditAction(action: string): action is AuditAction {
  return Object.hasOwn(AUDIT_EVENTS, action);
}
