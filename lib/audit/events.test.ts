// The audit catalog (lib/audit/events.ts) against its writers: every action written in lib/ is in
// the catalog, and each schema accepts the details as the writers build them (a sample per
// writer, optional parts on and off), so the catalog documents the stored rows as they are.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_EVENTS, isAuditAction, type AuditAction, type DetailsOf } from './events';
import { ACTION_NAMES } from '@/lib/scopes/actions';

const uuid = '0190d6c2-7a1e-7c3e-9d2a-2f1a6b3c4d5e';
const now = new Date().toISOString();

/** What each writer puts in `details` (see the file named beside each), every variant it writes. */
const WRITTEN: { [A in AuditAction]: DetailsOf<A>[] } = {
  // lib/resource/record-call.ts + operation.ts (allowed), lib/resource/call-context.ts (refused: none)
  ...(Object.fromEntries(ACTION_NAMES.map((name) => [name, [{ status: 200 }, { status: 201, tool: 'create_report', notify: true }, undefined]])) as {
    [A in (typeof ACTION_NAMES)[number]]: DetailsOf<A>[];
  }),
  'mcp.request': [undefined],
  // lib/tokens/issue-access-token.ts issuanceRecord
  'token.issue': [
    { grant_type: 'client_credentials', kind: 'ACCESS', expires_at: now },
    { grant_type: 'authorization_code', kind: 'REFRESH', requested_scopes: ['reports:read'], jit: true, expires_at: now, dpop_jkt: 'jkt' },
    // lib/oauth/exchange-api-key.ts
    { grant_type: 'token_exchange', kind: 'ACCESS', expires_at: now, api_key: uuid },
  ],
  // lib/oauth/agent-token-policy.ts (twice), lib/oauth/grants/client-credentials.ts
  'token.refuse': [undefined, { error: 'invalid_grant' }, { error: 'invalid_grant', revoked: 3 }, { error: 'invalid_scope', grant_type: 'client_credentials' }],
  // lib/oauth/grants/token-exchange.ts (none), lib/oauth/narrow-own-token.ts (refused, narrowed)
  'token.exchange': [
    undefined,
    { error: 'invalid_grant' },
    { error: 'invalid_scope', subject_token_id: uuid },
    // lib/oauth/exchange-api-key.ts (refused: the key found, or not)
    { error: 'invalid_grant', api_key: uuid },
    { parent_token_id: uuid, from_scopes: ['a', 'b'], to_scopes: ['a'], from_audience: ['x'], to_audience: ['x'], expires_in: 300 },
    { parent_token_id: uuid, from_scopes: [], to_scopes: [], from_audience: [], to_audience: [], expires_in: 60, dpop_jkt: 'jkt', authorization_details: 1 },
  ],
  // lib/tokens/revoke-token.ts, lib/agents/control-agent-access.ts
  'token.revoke': [
    { kind: 'ACCESS', revoked: 1 },
    { kind: 'REFRESH', revoked: 4 },
  ],
  'token.revoke_all': [
    { revoked: 7, grants: 2, approvals: 0 },
    { revoked: 7, grants: 2, approvals: 0, apiKeys: 1 },
  ],
  'token.flood': [undefined],
  'refresh.reuse': [{ family: uuid, family_size: 3, revoked: 5 }],
  'code.replay': [{ authorization_request: uuid, revoked: 2 }],
  // lib/secret-scanning/report-leaked-credentials.ts
  'credential.leaked': [
    { credential: 'refresh_token', url: 'https://github.com/o/r/blob/abc/.env', source: 'content', type: 'leash_refresh_token', reporter: 'github', revoked: 3, outcome: 'revoked' },
    { credential: 'client_secret', url: '', source: 'commit', type: 'leash_client_secret', reporter: 'github', revoked: 0, outcome: 'agent_suspended' },
    { credential: 'client_secret', url: '', source: 'gist_content', type: 'leash_client_secret', reporter: 'github', revoked: 0, outcome: 'resource_secret_voided' },
    { credential: 'registration_access_token', url: '', source: 'npm', type: 'leash_registration_access_token', reporter: 'github', revoked: 0, outcome: 'registration_token_voided' },
    { credential: 'api_key', url: 'https://github.com/o/r/blob/abc/ci.yml', source: 'content', type: 'leash_api_key', reporter: 'github', revoked: 2, outcome: 'revoked' },
  ],
  // lib/api-keys/manage-api-keys.ts
  'api_key.create': [
    { api_key: uuid, name: 'CI job', expires_at: now, ip_ranges: [] },
    { api_key: uuid, name: 'Zapier', expires_at: now, ip_ranges: ['192.0.2.0/24', '2001:db8::/32'] },
  ],
  'api_key.rotate': [{ api_key: uuid, replaced: uuid, expires_at: now, revokedTokens: 1 }],
  'api_key.revoke': [{ api_key: uuid, revokedTokens: 0 }],
  // lib/consent/
  'consent.grant': [{ authorization_request: uuid, grant: uuid }],
  'consent.deny': [{ authorization_request: uuid, error: 'access_denied' }],
  // lib/agents/control-agent-access.ts, lib/alerts/raise-alert.ts
  'grant.revoke': [
    { grants: 1, revokedTokens: 2 },
    { grants: 1, revokedTokens: 2, revokedApiKeys: 1 },
  ],
  'agent.suspend': [{ grants: 1, revokedTokens: 0 }],
  'agent.resume': [{ grants: 1 }],
  'alert.auto_suspend': [{ alert: uuid, revokedTokens: 3 }],
  // lib/clients/, lib/endpoints/oauth/client-configuration.ts
  'client.register': [{ client_id: 'agt_1', grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' }],
  'client.discover': [{ client_id: 'https://agent.example/client.json', domain: 'agent.example' }],
  'client.update': [undefined],
  'client.delete': [undefined],
  // lib/policy/save-agent-policy.ts, lib/endpoints/oauth/bc-authorize.ts, lib/approvals/decide-approval.ts
  'policy.update': [{ version: 3, handWritten: false }],
  // lib/authzen/evaluate-access.ts
  'authzen.evaluation': [
    { resource_server: 'https://api.example.com', action: 'orders.read', resource_type: 'order', resource_id: '42', error: 403 },
    { resource_server: 'https://api.example.com', action: 'orders.read', resource_type: 'order', resource_id: '42', outcome: 'deny', pep_request_id: 'r-1' },
    { resource_server: 'https://api.example.com', action: 'orders.pay', resource_type: 'order', resource_id: '42', outcome: 'approval', policy_rule: 'permit:https://api.example.com#orders.pay' },
  ],
  'elevation.request': [{ approval_request: uuid }, { approval_request: uuid, authorization_details: [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '10.00' } }] }],
  'elevation.refuse': [{ policy_rule: 'time-window' }, { policy_rule: 'default-deny', authorization_details: [{ type: 'payment_initiation' }] }],
  'elevation.approve': [{ approval_request: uuid }, { approval_request: uuid, second_factor: 'passkey' }],
  'elevation.deny': [{ approval_request: uuid }, { approval_request: uuid, bulk: true }],
  // lib/notifications/approval-clock.ts, deliver-notification.ts; lib/endpoints/account/notifications.ts
  'elevation.expire': [{ approval_request: uuid }],
  'notification.send': [
    { channel: 'email', event: 'approval_requested', outcome: 'sent', target: 'ada@example.com', approval_request: uuid },
    { channel: 'push', event: 'approval_expiring', outcome: 'failed', target: 'Chrome on Android', detail: 'the push service answered 500', approval_request: uuid },
    { channel: 'email', event: 'alert', outcome: 'skipped', target: 'ada@example.com', detail: 'quiet hours' },
    { channel: 'webhook', event: 'test', outcome: 'sent', target: 'hooks.example.com', detail: 'delivered (200)' },
    // lib/notifications/digest-clock.ts (scheduled), send-digest.ts (asked for now)
    { channel: 'email', event: 'digest', outcome: 'sent', target: 'ada@example.com', detail: 'accepted by the SMTP server', digest_for: '2026-01-15' },
    { channel: 'email', event: 'digest', outcome: 'failed', target: 'ada@example.com', detail: 'failed: connection refused' },
  ],
  'account.notification_settings': [
    { email: ['approval_requested'], push: [], webhook: ['alert_critical'], quietHours: null, reminderMinutes: 2 },
    { email: [], push: ['approval_requested', 'approval_expiring'], webhook: [], quietHours: { start: '22:00', end: '07:00' }, reminderMinutes: 0 },
    { email: [], push: [], webhook: [], quietHours: null, reminderMinutes: 2, digest: { enabled: true, hour: 8 } },
  ],
  'account.push_subscribe': [{ subscription: uuid, device: 'Chrome on Android' }],
  'account.push_unsubscribe': [
    { subscription: uuid, device: 'Chrome on Android', reason: 'user' },
    { subscription: uuid, device: 'Safari on iPhone', reason: 'gone' },
  ],
  // lib/auth/, lib/endpoints/account/
  'session.step_up': [undefined],
  'session.reauthenticate': [undefined],
  'step_up.fail': [undefined],
  'factor.totp_enrol': [undefined],
  'factor.totp_remove': [undefined],
  'factor.passkey_enrol': [undefined],
  'account.settings': [{ timeZone: 'Europe/Paris', intentStorage: 'FULL', intentRetentionDays: 30 }],
  'account.alert_settings': [
    {
      thresholds: {
        deniedCalls: { count: 10, windowMinutes: 5 },
        tokenFlood: { count: 1, windowMinutes: 10 },
        stepUpFailures: { count: 3, windowMinutes: 15 },
        approvalRequests: { count: 5, windowMinutes: 10 },
      },
      webhookUrl: null,
      autoSuspend: 'CRITICAL',
    },
  ],
  'account.webhook_secret': [undefined],
  'account.password_change': [undefined, { endedSessions: 2 }],
  'account.password_reset_issue': [{ administrator: uuid, expiresAt: now, voidedEarlierLinks: 1 }],
  'account.password_reset': [
    { administrator: uuid, endedSessions: 1 },
    { administrator: null, endedSessions: 0 },
  ],
  'account.delete': [
    undefined,
    {
      sessions: 1,
      authorizationRequests: 0,
      approvalRequests: 0,
      passwordResets: 0,
      policies: 2,
      alerts: 0,
      alertSettings: 1,
      reports: 3,
      invoices: 4,
      payments: 0,
      workflowRuns: 0,
      recoveryCodes: 10,
      passkeys: 1,
      intentTexts: 0,
      revokedTokens: 5,
      revokedGrants: 2,
      suspendedOwnedAgents: 0,
    },
    {
      sessions: 1,
      authorizationRequests: 0,
      approvalRequests: 0,
      passwordResets: 0,
      policies: 0,
      alerts: 0,
      alertSettings: 0,
      reports: 0,
      invoices: 0,
      payments: 0,
      workflowRuns: 0,
      recoveryCodes: 0,
      passkeys: 0,
      intentTexts: 0,
      revokedTokens: 0,
      revokedGrants: 0,
      suspendedOwnedAgents: 0,
      pushSubscriptions: 2,
      notificationSettings: 1,
      notificationDeliveries: 7,
      revokedApiKeys: 2,
    },
  ],
  'deployment.registration_mode': [{ mode: 'open' }],
  'resource.register': [{ identifier: 'https://api.example.com', scopes: ['notes:read'], tokenFormat: 'opaque', authMethod: 'client_secret_basic' }],
  'resource.delete': [{ identifier: 'https://api.example.com', revokedTokens: 2 }],
  'resource.secret_rotate': [{ identifier: 'https://api.example.com' }],
  'audit.intent_purge': [{ purged: 4, before: now }],
};

/** `action: '…'` literals in the lib/ files that write audit rows (tests excluded). */
function writtenActionLiterals(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'generated') walk(full);
      } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        const text = fs.readFileSync(full, 'utf8');
        if (!/appendAuditEvent|AuditInput/.test(text)) continue;
        for (const match of text.matchAll(/action: (?:[^'\n,]*\? )?'([a-z_.]+)'(?: : '([a-z_.]+)')?/g)) {
          for (const action of match.slice(1)) if (action) found.set(action, path.relative(process.cwd(), full));
        }
      }
    }
  };
  walk(path.join(process.cwd(), 'lib'));
  return found;
}

describe('the audit catalog', () => {
  it('names every action a writer in lib/ writes', () => {
    const literals = writtenActionLiterals();
    expect(literals.size).toBeGreaterThan(30);
    for (const [action, file] of literals) expect(isAuditAction(action), `${action} (${file})`).toBe(true);
  });

  it('accepts the details every writer produces, for every action', () => {
    expect(Object.keys(WRITTEN).sort()).toEqual([...AUDIT_ACTIONS].sort());
    for (const action of AUDIT_ACTIONS) {
      for (const details of WRITTEN[action]) {
        const parsed = AUDIT_EVENTS[action].details.safeParse(details);
        expect(parsed.success, `${action}: ${JSON.stringify(details)} ${parsed.error?.message ?? ''}`).toBe(true);
      }
    }
  });

  it('refuses a misspelt or extra details field, and a missing one', () => {
    expect(AUDIT_EVENTS['refresh.reuse'].details.safeParse({ family: uuid, familySize: 3, revoked: 5 }).success).toBe(false);
    expect(AUDIT_EVENTS['token.issue'].details.safeParse({ grant_type: 'x', kind: 'ACCESS', expires_at: now, extra: 1 }).success).toBe(false);
    expect(AUDIT_EVENTS['consent.grant'].details.safeParse(undefined).success).toBe(false);
    expect(AUDIT_EVENTS['token.flood'].details.safeParse({ n: 1 }).success).toBe(false);
  });

  it('has words for every action, and types that follow the action', () => {
    for (const action of AUDIT_ACTIONS) expect(AUDIT_EVENTS[action].label, action).toMatch(/^[A-Z]/);
    expectTypeOf<DetailsOf<'token.flood'>>().toEqualTypeOf<undefined>();
    expectTypeOf<DetailsOf<'refresh.reuse'>>().toEqualTypeOf<{ family: string; family_size: number; revoked: number }>();
    // @ts-expect-error: not an action of the catalog
    expectTypeOf<DetailsOf<'token.isue'>>();
  });
});
