// What an operator scrapes (issue 19 §3): one Prometheus registry per process, served as /metrics
// by server/metrics.ts, each metric documented in docs/metrics.md. Shared through globalThis: the
// Next bundle and the fast path (server/fast-path.ts) are two module instances in one process, and
// each must count into the same metrics, not into a copy of its own (as lib/db/group-commit.ts).
//
// Labels are closed sets (a route family, a grant type, an outcome), never a raw path, an id, a
// client_id or a token: a label value is a time series forever. Updating a metric is a synchronous
// increment in memory; gauges that mirror state elsewhere (the pool, the queues, the LISTEN
// connections) read it when scraped, so nothing here adds work to a request beyond the increment.
//
// This folder imports nothing from lib/: every other folder may count into it.
import 'server-only';
import client from 'prom-client';

/** Families of routes, the `family` label of the request metrics (lib/metrics/route-family.ts). */
export const ROUTE_FAMILIES = [
  'oauth_token',
  'oauth_authorize',
  'oauth_introspect',
  'oauth_revoke',
  'oauth_register',
  'oauth_par',
  'oauth_bc_authorize',
  'oauth_device',
  'api',
  'mcp',
  'well_known',
  'health',
  'live',
  'auth',
  'dashboard_api',
  'dashboard',
  'portal',
  'static',
  'metrics',
  'other',
] as const;
export type RouteFamily = (typeof ROUTE_FAMILIES)[number];

/** The `grant_type` label: the registered grant types, shortened (lib/oauth/grants/registry.ts). */
export const GRANT_LABELS: Record<string, string> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'token_exchange',
  'urn:ietf:params:oauth:grant-type:device_code': 'device_code',
  'urn:openid:params:grant-type:ciba': 'ciba',
};

/** What a revocation named (lib/tokens/revoke-tokens.ts selectors), the `target` label. */
export const REVOCATION_TARGETS = ['token', 'family', 'grant', 'authorization_request', 'agent', 'user', 'resource', 'api_key'] as const;
export type RevocationTarget = (typeof REVOCATION_TARGETS)[number];

/** An agent call's decision as audited (allow, or a refusal's decision). */
export const CALL_DECISIONS = ['allow', 'deny', 'step_up', 'approval'] as const;
/** The policy's outcome for a call it decided (lib/policy/evaluate-policy.ts). */
export const POLICY_OUTCOMES = ['allow', 'notify', 'deny', 'step_up', 'approval_required'] as const;
export const APPROVAL_STATES = ['requested', 'approved', 'denied'] as const;
export const LISTEN_CHANNELS = ['leash_cache', 'leash_live'] as const;
export type ListenChannel = (typeof LISTEN_CHANNELS)[number];

/** What the pool gauges read at scrape time (a `pg.Pool` satisfies it). */
type PoolStats = { totalCount: number; idleCount: number; waitingCount: number; options: { max?: number } };

/** Seconds. From 1 ms (a cached read) to 10 s (the request budget of a slow database). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Items per group-commit batch: up to the largest `maxBatch` (lib/audit/audit-group-commit.ts). */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

function createMetrics() {
  const registry = new client.Registry();
  // Process and Node.js metrics: CPU, memory, handles, GC, and the event loop's lag.
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const sources = { pool: null as PoolStats | null, queues: new Map<string, () => number>(), listening: new Map<ListenChannel, boolean>() };

  const m = {
    registry,
    sources,
    httpRequests: new client.Counter({
      name: 'leash_http_requests_total',
      help: 'HTTP requests answered, by route family, method and status code ("aborted": the client went away first).',
      labelNames: ['family', 'method', 'status'] as const,
      registers,
    }),
    httpDuration: new client.Histogram({
      name: 'leash_http_request_duration_seconds',
      help: 'Time from the request reaching the server to the last byte of its answer, by route family (event streams excluded).',
      labelNames: ['family'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    tokensIssued: new client.Counter({
      name: 'leash_tokens_issued_total',
      help: 'Access tokens issued by the token endpoint, by grant type (refresh_token: a rotation).',
      labelNames: ['grant_type'] as const,
      registers,
    }),
    tokensRevoked: new client.Counter({
      name: 'leash_tokens_revoked_total',
      help: 'Tokens revoked, by what the revocation named (a token with its family, a family, a grant, an authorization request, an agent, a user).',
      labelNames: ['target'] as const,
      registers,
    }),
    refreshReuse: new client.Counter({
      name: 'leash_refresh_token_reuse_total',
      help: 'Used refresh tokens presented again (each revoked its family, RFC 9700 §4.14.2).',
      registers,
    }),
    tokenFloods: new client.Counter({
      name: 'leash_token_floods_total',
      help: 'Token requests refused because their client exceeded its per-client limit.',
      registers,
    }),
    agentCalls: new client.Counter({
      name: 'leash_agent_calls_total',
      help: 'Agent API and MCP calls decided by the resource server, by decision (the decision of their audit row).',
      labelNames: ['decision'] as const,
      registers,
    }),
    policyDecisions: new client.Counter({
      name: 'leash_policy_decisions_total',
      help: "Calls the agent's policy decided, by outcome.",
      labelNames: ['outcome'] as const,
      registers,
    }),
    approvals: new client.Counter({
      name: 'leash_approvals_total',
      help: 'Just-in-time elevation requests (CIBA), by state reached: requested by an agent, approved or denied by the user.',
      labelNames: ['state'] as const,
      registers,
    }),
    alertsRaised: new client.Counter({
      name: 'leash_alerts_raised_total',
      help: 'Alerts raised, by rule and severity.',
      labelNames: ['rule', 'severity'] as const,
      registers,
    }),
    groupCommitBatch: new client.Histogram({
      name: 'leash_group_commit_batch_size',
      help: 'Items written together by one group-commit statement, by queue.',
      labelNames: ['queue'] as const,
      buckets: BATCH_BUCKETS,
      registers,
    }),
    groupCommitQueueDepth: new client.Gauge({
      name: 'leash_group_commit_queue_depth',
      help: 'Items waiting for a group-commit writer, by queue.',
      labelNames: ['queue'] as const,
      registers,
      collect() {
        for (const [queue, depth] of sources.queues) this.set({ queue }, depth());
      },
    }),
    dbPool: new client.Gauge({
      name: 'leash_db_pool_connections',
      help: 'Connections of the database pool: total open, idle, and the pool maximum.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const pool = sources.pool;
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'max' }, pool.options.max ?? 10);
      },
    }),
    dbPoolWaiting: new client.Gauge({
      name: 'leash_db_pool_waiting',
      help: 'Queries waiting for a connection of the database pool.',
      registers,
      collect() {
        if (sources.pool) this.set(sources.pool.waitingCount);
      },
    }),
    listenConnected: new client.Gauge({
      name: 'leash_listen_connected',
      help: 'Whether the LISTEN connection of a channel is up (1) or not (0): leash_cache (hot-cache invalidation), leash_live (dashboard live updates).',
      labelNames: ['channel'] as const,
      registers,
      collect() {
        for (const [channel, up] of sources.listening) this.set({ channel }, up ? 1 : 0);
      },
    }),
    listenLost: new client.Counter({
      name: 'leash_listen_disconnects_total',
      help: 'LISTEN connections lost (the database restarted, a network cut, a terminated backend), by channel.',
      labelNames: ['channel'] as const,
      registers,
    }),
    listenReconnects: new client.Counter({
      name: 'leash_listen_reconnects_total',
      help: 'LISTEN connections re-established after a loss, by channel.',
      labelNames: ['channel'] as const,
      registers,
    }),
    cacheLookups: new client.Counter({
      name: 'leash_cache_lookups_total',
      help: 'Hot-cache reads, by area and result: hit, miss (read from the database), bypass (not caching: the invalidation connection is down).',
      labelNames: ['area', 'result'] as const,
      registers,
    }),
  };
  // The known label values start at 0, so that a rate over them exists before the first event.
  for (const grant of Object.values(GRANT_LABELS)) m.tokensIssued.inc({ grant_type: grant }, 0);
  for (const target of REVOCATION_TARGETS) m.tokensRevoked.inc({ target }, 0);
  for (const decision of CALL_DECISIONS) m.agentCalls.inc({ decision }, 0);
  for (const outcome of POLICY_OUTCOMES) m.policyDecisions.inc({ outcome }, 0);
  for (const state of APPROVAL_STATES) m.approvals.inc({ state }, 0);
  for (const channel of LISTEN_CHANNELS) {
    m.listenLost.inc({ channel }, 0);
    m.listenReconnects.inc({ channel }, 0);
  }
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

const holder = globalThis as typeof globalThis & { leashMetrics?: Metrics };

/** This process's metrics (created on first use, by whichever module instance comes first). */
export function metrics(): Metrics {
  holder.leashMetrics ??= createMetrics();
  return holder.leashMetrics;
}

/** The Prometheus text exposition of every metric, and its content type. */
export async function exposition(): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}

/** The pool the `leash_db_pool_*` gauges read (lib/db/client.ts, once per process). */
export function watchPool(pool: PoolStats): void {
  metrics().sources.pool = pool;
}

/** A group-commit queue whose depth `leash_group_commit_queue_depth` reads; returns its batch-size observer. */
export function watchQueue(queue: string, depth: () => number): (batchSize: number) => void {
  const m = metrics();
  m.sources.queues.set(queue, depth);
  const histogram = m.groupCommitBatch.labels({ queue });
  return (batchSize) => histogram.observe(batchSize);
}

/** The state of a LISTEN connection: up, lost, re-established after a loss, or closed on purpose. */
export function noteListen(channel: ListenChannel, event: 'connected' | 'reconnected' | 'lost' | 'closed'): void {
  const m = metrics();
  m.sources.listening.set(channel, event === 'connected' || event === 'reconnected');
  if (event === 'lost') m.listenLost.inc({ channel });
  if (event === 'reconnected') m.listenReconnects.inc({ channel });
}

type CacheResult = 'hit' | 'miss' | 'bypass';
const cacheCounters = new Map<string, client.Counter.Internal>();

/** Counts one hot-cache read (the labelled child is kept, so a read costs one increment). */
export function countCacheLookup(area: string, result: CacheResult): void {
  const key = `${area}\0${result}`;
  let counter = cacheCounters.get(key);
  if (!counter) cacheCounters.set(key, (counter = metrics().cacheLookups.labels({ area, result })));
  counter.inc();
}
