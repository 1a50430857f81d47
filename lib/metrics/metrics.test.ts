// The metrics registry (issue 19 §3): one per process whichever module instance asks, Prometheus
// naming (leash_ prefix, _total counters, base units), closed label sets (never a path, an id or a
// token), route families from the path alone, and the events counted through the real emitter.
import { describe, expect, it } from 'vitest';
import { emitEvent } from '@/lib/events/leash-events';
import { exposition, metrics, ROUTE_FAMILIES, watchPool, watchQueue } from '@/lib/metrics/metrics';
import { methodLabel, routeFamily } from '@/lib/metrics/route-family';

/** The value of one sample in the exposition text (0 when absent). */
async function sample(name: string, labels: Record<string, string> = {}): Promise<number> {
  const { body } = await exposition();
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  for (const line of body.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean).sort();
    if (have.length === wanted.length && have.every((l, i) => l === wanted[i])) return Number(match[3]);
  }
  return 0;
}

describe('the registry', () => {
  it('is one per process, held on globalThis (the Next bundle and the fast path share it)', () => {
    expect(metrics()).toBe(metrics());
    expect((globalThis as { leashMetrics?: unknown }).leashMetrics).toBe(metrics());
  });

  it("names Leash's metrics as Prometheus asks, with closed label sets only", async () => {
    const all = await metrics().registry.getMetricsAsJSON();
    const ours = all.filter((m) => m.name.startsWith('leash_'));
    expect(ours.length).toBeGreaterThanOrEqual(18);
    for (const metric of ours) {
      expect(metric.name, metric.name).toMatch(/^leash_[a-z][a-z0-9_]*[a-z0-9]$/);
      if (String(metric.type) === 'counter') expect(metric.name).toMatch(/_total$/);
      else expect(metric.name).not.toMatch(/_total$/);
      if (String(metric.type) === 'histogram') expect(metric.name).toMatch(/_(seconds|size)$/);
      expect(metric.help.length, metric.name).toBeGreaterThan(20);
      for (const value of metric.values) {
        for (const label of Object.keys(value.labels)) {
          // Labels that would be a series per user, agent, client, token or path.
          expect(label, `${metric.name}{${label}}`).not.toMatch(/id$|user|agent|client|token$|path|url|ip/);
        }
      }
    }
  });

  it('includes the process and event-loop metrics', async () => {
    const { body, contentType } = await exposition();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(body, name).toMatch(new RegExp(`^${name} `, 'm'));
    }
  });

  it('starts the known label values at 0, so a rate over them exists before the first event', async () => {
    const { body } = await exposition();
    expect(body).toMatch(/^leash_tokens_issued_total\{grant_type="token_exchange"\} /m);
    expect(body).toMatch(/^leash_policy_decisions_total\{outcome="approval_required"\} /m);
    expect(body).toMatch(/^leash_listen_reconnects_total\{channel="leash_live"\} /m);
  });

  it('reads the pool and the group-commit queues when scraped', async () => {
    watchPool({ totalCount: 7, idleCount: 3, waitingCount: 2, options: { max: 10 } });
    expect(await sample('leash_db_pool_connections', { state: 'total' })).toBe(7);
    expect(await sample('leash_db_pool_connections', { state: 'idle' })).toBe(3);
    expect(await sample('leash_db_pool_connections', { state: 'max' })).toBe(10);
    expect(await sample('leash_db_pool_waiting')).toBe(2);
    let depth = 5;
    const observe = watchQueue('test-queue', () => depth);
    expect(await sample('leash_group_commit_queue_depth', { queue: 'test-queue' })).toBe(5);
    depth = 0;
    expect(await sample('leash_group_commit_queue_depth', { queue: 'test-queue' })).toBe(0);
    observe(3);
    observe(40);
    expect(await sample('leash_group_commit_batch_size_count', { queue: 'test-queue' })).toBe(2);
    expect(await sample('leash_group_commit_batch_size_sum', { queue: 'test-queue' })).toBe(43);
    expect(await sample('leash_group_commit_batch_size_bucket', { queue: 'test-queue', le: '4' })).toBe(1);
  });
});

describe('route families', () => {
  it('names the part of Leash a request went to, never the path or its ids', () => {
    const cases: [string, string][] = [
      ['/oauth/token', 'oauth_token'],
      ['/oauth/authorize?client_id=abc&state=xyz', 'oauth_authorize'],
      ['/oauth/introspect', 'oauth_introspect'],
      ['/oauth/revoke', 'oauth_revoke'],
      ['/oauth/register', 'oauth_register'],
      ['/oauth/register/client-123', 'oauth_register'],
      ['/oauth/par', 'oauth_par'],
      ['/oauth/bc-authorize', 'oauth_bc_authorize'],
      ['/oauth/device_authorization', 'oauth_device'],
      ['/oauth/constructor', 'other'],
      ['/api/v1/datasets', 'api'],
      ['/api/v1/reports/0190f0e0-1111-7000-8000-000000000000', 'api'],
      ['/mcp', 'mcp'],
      ['/mcp/extra', 'other'],
      ['/.well-known/oauth-authorization-server', 'well_known'],
      ['/.well-known/oauth-protected-resource/api', 'well_known'],
      ['/api/health', 'health'],
      ['/api/health/ready', 'health'],
      ['/api/live', 'live'],
      ['/api/auth/callback/credentials', 'auth'],
      ['/api/account/tokens/abc/revoke', 'dashboard_api'],
      ['/api/admin/registration', 'dashboard_api'],
      ['/api/consent/abc', 'dashboard_api'],
      ['/', 'dashboard'],
      ['/agents/abc/policy?_rsc=1', 'dashboard'],
      ['/tokens', 'dashboard'],
      ['/consent/abc', 'portal'],
      ['/sign-in', 'portal'],
      ['/device', 'portal'],
      ['/_next/static/chunks/app.js', 'static'],
      ['/icon.svg', 'static'],
      ['/metrics', 'metrics'],
      ['/metrics/../etc', 'other'],
      ['/wp-admin/setup.php', 'other'],
      ['*', 'other'],
      ['http://evil.example/oauth/token', 'other'],
    ];
    for (const [target, family] of cases) expect(routeFamily(target), target).toBe(family);
    for (const [, family] of cases) expect(ROUTE_FAMILIES).toContain(family);
  });

  it('keeps methods to the standard set', () => {
    expect(methodLabel('GET')).toBe('GET');
    expect(methodLabel('DELETE')).toBe('DELETE');
    expect(methodLabel('PROPFIND')).toBe('OTHER');
    expect(methodLabel('get')).toBe('OTHER');
    expect(methodLabel(undefined)).toBe('OTHER');
  });
});

describe("counted from Leash's events (lib/events/count-events.ts)", () => {
  it('counts issued tokens by grant type, calls by decision and the policy by outcome', async () => {
    const before = {
      cc: await sample('leash_tokens_issued_total', { grant_type: 'client_credentials' }),
      exchange: await sample('leash_tokens_issued_total', { grant_type: 'token_exchange' }),
      allowed: await sample('leash_agent_calls_total', { decision: 'allow' }),
      denied: await sample('leash_agent_calls_total', { decision: 'deny' }),
      policyAllow: await sample('leash_policy_decisions_total', { outcome: 'allow' }),
      policyNotify: await sample('leash_policy_decisions_total', { outcome: 'notify' }),
      policyDeny: await sample('leash_policy_decisions_total', { outcome: 'deny' }),
      approval: await sample('leash_policy_decisions_total', { outcome: 'approval_required' }),
      requested: await sample('leash_approvals_total', { state: 'requested' }),
      denials: await sample('leash_approvals_total', { state: 'denied' }),
    };
    await emitEvent('token.issued', { grantType: 'client_credentials' });
    await emitEvent('token.issued', { grantType: 'client_credentials' });
    await emitEvent('token.issued', { grantType: 'urn:ietf:params:oauth:grant-type:token-exchange' });
    // Agents acting as themselves (no user): no alert rule runs, only the counts.
    await emitEvent('call.allowed', { userId: null, agentId: 'agent-7f3a', action: 'datasets.list', scope: 'datasets:read', outcome: 'allow' });
    await emitEvent('call.allowed', { userId: null, agentId: 'agent-7f3a', action: 'datasets.list', scope: 'datasets:read', outcome: 'notify' });
    // Refused before the policy (no rule named): a call decision, not a policy decision.
    await emitEvent('call.refused', { userId: null, agentId: null, action: 'datasets.list', decision: 'DENY', policyRule: null });
    await emitEvent('call.refused', { userId: null, agentId: 'agent-7f3a', action: 'datasets.list', decision: 'DENY', policyRule: 'default-deny' });
    await emitEvent('call.refused', { userId: null, agentId: 'agent-7f3a', action: 'payments.initiate', decision: 'APPROVAL', policyRule: 'approval-over-100' });
    await emitEvent('elevation.decided', { userId: 'user-7f3a', outcome: 'denied', count: 3 });

    expect(await sample('leash_tokens_issued_total', { grant_type: 'client_credentials' })).toBe(before.cc + 2);
    expect(await sample('leash_tokens_issued_total', { grant_type: 'token_exchange' })).toBe(before.exchange + 1);
    expect(await sample('leash_agent_calls_total', { decision: 'allow' })).toBe(before.allowed + 2);
    expect(await sample('leash_agent_calls_total', { decision: 'deny' })).toBe(before.denied + 2);
    expect(await sample('leash_policy_decisions_total', { outcome: 'allow' })).toBe(before.policyAllow + 1);
    expect(await sample('leash_policy_decisions_total', { outcome: 'notify' })).toBe(before.policyNotify + 1);
    expect(await sample('leash_policy_decisions_total', { outcome: 'deny' })).toBe(before.policyDeny + 1);
    expect(await sample('leash_policy_decisions_total', { outcome: 'approval_required' })).toBe(before.approval + 1);
    expect(await sample('leash_approvals_total', { state: 'requested' })).toBe(before.requested);
    expect(await sample('leash_approvals_total', { state: 'denied' })).toBe(before.denials + 3);
    // No id from the events reached the output.
    const { body } = await exposition();
    expect(body).not.toMatch(/approval-over-100|default-deny|7f3a/);
  });
});
