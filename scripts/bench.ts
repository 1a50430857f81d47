// `npm run bench [-- --quick]`: Leash against node-oidc-provider on this machine, in the same run.
// Builds Leash if needed, starts it in production mode on its own embedded PostgreSQL and the peer
// (minimal configuration, in-memory store) on 127.0.0.1, then drives both with autocannon,
// alternating, several rounds, each server pinned to core 0 when
// `taskset` exists. Prints medians, p50/p99 and Leash/peer ratios; writes
// .leash-bench/results.json and docs/benchmarks.md. No assertion: the numbers are the output.
// Also measured: requests accepted after a revocation returned (must be 0).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres } from './lib/embedded-pg';
import { buildIfNeeded, generatePrismaClient, ROOT } from './lib/prepare';
import { deployMigrations } from './lib/schema-engine';
import { dpopKey } from './bench/dpop-proof';
import { crossInstancePolicyChange, crossInstanceRevocation, liveUpdate, percentile, signIn } from './bench/latency';
import { benchSsfReceiver, ssfRevocation } from './bench/ssf-latency';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 2 : 3;
const SECONDS = quick ? 5 : 15;
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const LATENCY_SAMPLES = quick ? 20 : 60;
const AUDIT_ROWS = quick ? 1_000_000 : 10_000_000;
const pin = fs.existsSync('/usr/bin/taskset') && os.cpus().length >= 2;
const log = (line: string) => console.log(`[bench] ${line}`);

type Target = {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Per request: extra headers (a fresh DPoP proof). */
  perRequest?: () => Record<string, string>;
  /** Sees each response's headers (a new DPoP nonce). */
  onHeaders?: (headers: Record<string, string>) => void;
};
type Sample = { rps: number; p50: number; p99: number; non2xx: number; errors: number };

function run(target: Target, seconds = SECONDS): Promise<Sample> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: target.url,
        method: target.method,
        headers: target.headers,
        body: target.body,
        connections: CONNECTIONS,
        duration: seconds,
        ...(target.perRequest
          ? {
              requests: [
                {
                  setupRequest: (request: Record<string, unknown>) => ({ ...request, headers: { ...(request.headers as object), ...target.perRequest!() } }),
                  onResponse: (_status: number, _body: string, _context: unknown, headers?: Record<string, string>) => headers && target.onHeaders?.(headers),
                },
              ],
            }
          : {}),
      } as autocannon.Options,
      (error, result) => {
        if (error) return reject(error);
        resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors });
      },
    );
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function startProcess(command: string, args: string[], env: Record<string, string>): ChildProcess {
  const [cmd, argv] = pin ? ['taskset', ['-c', '0', command, ...args]] : [command, args];
  return spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function waitFor(url: string, child: ChildProcess) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited (${child.exitCode})`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url}: server did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

async function main() {
  generatePrismaClient(log);
  buildIfNeeded(log);
  const runDir = path.join(ROOT, '.leash-bench', `run-${process.pid}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const database = await startEmbeddedPostgres({ dir: path.join(runDir, 'postgres'), port: await findFreePort(), database: 'leash_bench', password: 'leash-bench' });
  const children: ChildProcess[] = [];
  try {
    await deployMigrations({ databaseUrl: database.url });
    const leashPort = await findFreePort();
    const issuer = `http://127.0.0.1:${leashPort}`;
    // The Shared Signals receiver of the revocation-push measurement, allowlisted for Leash's pushes.
    const ssfPort = await findFreePort();
    const env = {
      DATABASE_URL: database.url,
      LEASH_DATA_DIR: path.join(runDir, 'data'),
      LEASH_ISSUER: issuer,
      PORT: String(leashPort),
      HOST: '127.0.0.1',
      NEXT_TELEMETRY_DISABLED: '1',
      // The load comes from one address and one client: lift the abuse limits for the run.
      LEASH_TOKEN_IP_LIMIT: '1000000',
      LEASH_TOKEN_CLIENT_LIMIT: '1000000',
      LEASH_USER_RATE_LIMIT: '1000000',
      LEASH_SSF_ALLOWLIST: `127.0.0.1:${ssfPort}`,
    };
    Object.assign(process.env, env);
    // LEASH_BENCH_PROFILE=<dir>: a V8 CPU profile of the Leash server for the whole run.
    const profile = process.env.LEASH_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.LEASH_BENCH_PROFILE)}`] : [];
    const leash = startProcess(process.execPath, [...profile, '--import', 'tsx', 'server/main.ts'], env);
    children.push(leash);
    await waitFor(`${issuer}/api/health`, leash);

    const peerPort = await findFreePort();
    const peerSecret = crypto.randomBytes(24).toString('base64url');
    const peerArgs = ['scripts/bench/peer-oidc-provider.mjs', String(peerPort), peerSecret];
    const peer = startProcess(process.execPath, peerArgs, { NODE_ENV: 'production' });
    children.push(peer);
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    await waitFor(`${peerUrl}/.well-known/openid-configuration`, peer);

    // Leash: a confidential agent (client_credentials), and a user-delegated token for API reads
    // under a policy whose rate limit does not cap the run (set up in-process, not measured).
    const registered = await (
      await fetch(`${issuer}/oauth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_name: 'Bench agent', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'datasets:read' }),
      })
    ).json();
    const leashAuth = basic(registered.client_id, registered.client_secret);
    const tokenBody = 'grant_type=client_credentials&scope=datasets%3Aread';
    const leashToken = (await (await fetch(`${issuer}/oauth/token`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: tokenBody })).json()).access_token as string;
    const delegation = await benchDelegation(registered.client_id, issuer);
    const apiToken = await delegation.issue();
    // A DPoP-bound token for the same call (RFC 9449 §7): a fresh proof per request, with the
    // server's nonce (fetched once, then taken from the responses as it rotates).
    const key = dpopKey();
    const boundToken = await delegation.issue(key.jkt);
    const apiUrl = `${issuer}/api/v1/datasets`;
    let nonce = (await fetch(apiUrl, { headers: { Authorization: `DPoP ${boundToken}`, DPoP: key.proof('GET', apiUrl, boundToken, undefined) } })).headers.get('dpop-nonce') ?? undefined;
    const peerAuth = basic('bench', peerSecret);
    const peerBody = 'grant_type=client_credentials&scope=api%3Aread';
    const peerToken = (await (await fetch(`${peerUrl}/token`, { method: 'POST', headers: { ...form, Authorization: peerAuth }, body: peerBody })).json()).access_token as string;

    const scenarios: { name: string; leash: Target; peer?: Target }[] = [
      {
        name: 'token issuance (client_credentials, opaque)',
        leash: { url: `${issuer}/oauth/token`, method: 'POST', headers: { ...form, Authorization: leashAuth }, body: tokenBody },
        peer: { url: `${peerUrl}/token`, method: 'POST', headers: { ...form, Authorization: peerAuth }, body: peerBody },
      },
      {
        name: 'introspection',
        leash: { url: `${issuer}/oauth/introspect`, method: 'POST', headers: { ...form, Authorization: leashAuth }, body: `token=${leashToken}` },
        peer: { url: `${peerUrl}/token/introspection`, method: 'POST', headers: { ...form, Authorization: peerAuth }, body: `token=${peerToken}` },
      },
      {
        name: 'protected API read (lookup, Cedar, rate limit, audit row)',
        leash: { url: apiUrl, method: 'GET', headers: { Authorization: `Bearer ${apiToken}` } },
      },
      {
        name: 'the same read with a DPoP-bound token (proof per request, jti stored)',
        leash: {
          url: apiUrl,
          method: 'GET',
          headers: { Authorization: `DPoP ${boundToken}` },
          perRequest: () => ({ DPoP: key.proof('GET', apiUrl, boundToken, nonce) }),
          onHeaders: (headers) => {
            if (headers['dpop-nonce']) nonce = headers['dpop-nonce'];
          },
        },
      },
    ];

    const results: Record<string, { leash: Sample[]; peer: Sample[] }> = {};
    // LEASH_BENCH_ONLY=<text>: only the scenarios whose name contains it (profiling one path).
    const only = process.env.LEASH_BENCH_ONLY;
    for (const scenario of scenarios.filter((s) => !only || s.name.includes(only))) {
      results[scenario.name] = { leash: [], peer: [] };
      // A short unmeasured run of each side first: JIT compilation, caches and pools warm up.
      for (const side of ['leash', 'peer'] as const) if (scenario[side]) await run(scenario[side]!, WARMUP_SECONDS);
      for (let round = 1; round <= ROUNDS; round++) {
        for (const side of ['leash', 'peer'] as const) {
          const target = scenario[side];
          if (!target) continue;
          const sample = await run(target);
          results[scenario.name]![side].push(sample);
          log(`${scenario.name} · ${side} · round ${round}: ${Math.round(sample.rps)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms${sample.non2xx ? `, ${sample.non2xx} non-2xx` : ''}`);
        }
      }
    }

    // Revocation: the revoke call returns, then nothing with that token is accepted.
    const victim = (await (await fetch(`${issuer}/oauth/token`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: tokenBody })).json()).access_token as string;
    await fetch(`${issuer}/oauth/revoke`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: `token=${victim}` });
    const after = await Promise.all(Array.from({ length: 200 }, () => fetch(`${issuer}/api/v1/datasets`, { headers: { Authorization: `Bearer ${victim}` } }).then((r) => r.status)));
    const acceptedAfterRevoke = after.filter((s) => s === 200).length;

    // A second instance on the same database: how long until it refuses a token revoked on the first.
    const portB = await findFreePort();
    const instanceB = startProcess(process.execPath, ['--import', 'tsx', 'server/main.ts'], { ...env, PORT: String(portB), LEASH_ISSUER: issuer });
    children.push(instanceB);
    await waitFor(`http://127.0.0.1:${portB}/api/health`, instanceB);
    const issueMachineToken = async () =>
      (await (await fetch(`${issuer}/oauth/token`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: tokenBody })).json()).access_token as string;
    const revokeOnA = async (token: string) => {
      const answer = await fetch(`${issuer}/oauth/revoke`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: `token=${token}` });
      if (answer.status !== 200) throw new Error(`revoke answered ${answer.status}`);
    };
    log('revocation between instances…');
    const crossInstance = await crossInstanceRevocation(LATENCY_SAMPLES, `http://127.0.0.1:${portB}`, issueMachineToken, revokeOnA);
    const cookie = await signIn(issuer, delegation.email, delegation.password);
    log('policy change between instances…');
    const { defaultPolicyDocument } = await import('../lib/policy/policy-document');
    let policyVersion = 1;
    const savePolicyOnA = async (deny: boolean) => {
      const document = { ...defaultPolicyDocument(), rateLimit: { perMinute: 1_000_000, perDay: 10_000_000 }, ...(deny ? { actions: { 'datasets.list': 'deny' } } : {}) };
      const answer = await fetch(`${issuer}/api/account/agents/${delegation.agentId}/policy`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: new URL(issuer).origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ document, expected_version: policyVersion }),
      });
      if (answer.status !== 200) throw new Error(`saving the policy answered ${answer.status}: ${await answer.text()}`);
      policyVersion++;
    };
    const policyChange = await crossInstancePolicyChange(LATENCY_SAMPLES, `http://127.0.0.1:${portB}`, await delegation.issue(), savePolicyOnA);
    log('live update after a revocation…');
    const live = await liveUpdate(LATENCY_SAMPLES, issuer, cookie, () => delegation.issue(), revokeOnA);
    log('revocation pushed to a resource server (Shared Signals)…');
    const ssf = await ssfPush(LATENCY_SAMPLES, issuer, ssfPort, delegation, revokeOnA);

    // The audit browser over a large table, in a database of its own.
    log(`audit browser over ${AUDIT_ROWS.toLocaleString('en-US')} rows (filling the table)…`);
    const auditUrl = database.url.replace(/\/leash_bench$/, '/leash_audit_bench');
    const admin = new pg.Client({ connectionString: database.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE leash_audit_bench');
    await admin.end();
    await deployMigrations({ databaseUrl: auditUrl });
    const audit = await auditQueryTimes(auditUrl, AUDIT_ROWS);

    const rows = Object.entries(results).map(([name, { leash, peer }]) => {
      const leashRps = median(leash.map((s) => s.rps));
      const peerRps = peer.length ? median(peer.map((s) => s.rps)) : null;
      return {
        scenario: name,
        leash: { rps: Math.round(leashRps), p50: median(leash.map((s) => s.p50)), p99: median(leash.map((s) => s.p99)), non2xx: leash.reduce((n, s) => n + s.non2xx, 0) },
        peer: peerRps === null ? null : { rps: Math.round(peerRps), p50: median(peer.map((s) => s.p50)), p99: median(peer.map((s) => s.p99)) },
        ratio: peerRps ? Number((leashRps / peerRps).toFixed(2)) : null,
      };
    });
    const summary = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, pinned: pin },
      settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
      rows,
      acceptedAfterRevoke,
      revocationBetweenInstancesMs: { p50: percentile(crossInstance, 0.5), p99: percentile(crossInstance, 0.99), samples: crossInstance.length },
      policyChangeBetweenInstancesMs: { p50: percentile(policyChange, 0.5), p99: percentile(policyChange, 0.99), samples: policyChange.length },
      liveUpdateMs: { p50: percentile(live, 0.5), p95: percentile(live, 0.95), samples: live.length },
      ssfPushMs: { p50: percentile(ssf, 0.5), p99: percentile(ssf, 0.99), samples: ssf.length },
      auditBrowser: audit,
    };
    fs.mkdirSync(path.join(ROOT, '.leash-bench'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, '.leash-bench', 'results.json'), JSON.stringify(summary, null, 2) + '\n');
    const table = [
      '| scenario | Leash req/s | p50 / p99 ms | node-oidc-provider req/s | p50 / p99 ms | Leash / peer |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) => `| ${r.scenario} | ${r.leash.rps} | ${r.leash.p50} / ${r.leash.p99} | ${r.peer ? r.peer.rps : 'n/a'} | ${r.peer ? `${r.peer.p50} / ${r.peer.p99}` : 'n/a'} | ${r.ratio ?? 'n/a'} |`,
      ),
    ].join('\n');
    const auditTable = [
      `| audit browser page (${audit.userRows.toLocaleString('en-US')} of the user's ${audit.rows.toLocaleString('en-US')} rows) | p50 ms | p95 ms |`,
      '| --- | --- | --- |',
      ...Object.entries(audit.results).map(([shape, t]) => `| ${shape} | ${t.p50} | ${t.p95} |`),
    ].join('\n');
    const latencies = [
      `Requests accepted after a revocation returned: **${acceptedAfterRevoke}** of 200.`,
      `Revocation reaching a second instance (same database, LISTEN/NOTIFY): p50 **${summary.revocationBetweenInstancesMs.p50} ms**, p99 **${summary.revocationBetweenInstancesMs.p99} ms** (${crossInstance.length} samples).`,
      `Policy change reaching a second instance (saved on the first through the dashboard API → the second decides by it): p50 **${summary.policyChangeBetweenInstancesMs.p50} ms**, p99 **${summary.policyChangeBetweenInstancesMs.p99} ms** (${policyChange.length} samples).`,
      `Live update (revoke call → dashboard event stream): p50 **${summary.liveUpdateMs.p50} ms**, p95 **${summary.liveUpdateMs.p95} ms** (${live.length} samples).`,
      `Revocation pushed to a resource server (RFC 7009 revoke call → the signed SET received, Shared Signals over RFC 8935): p50 **${summary.ssfPushMs.p50} ms**, p99 **${summary.ssfPushMs.p99} ms** (${ssf.length} samples).`,
    ].join('\n\n');
    const markdown = `# Benchmarks\n\nMedians of ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${summary.machine.cpus} cores (${summary.machine.model}), Node ${process.version}, ${pin ? 'servers pinned to core 0 (load generator and PostgreSQL unpinned)' : 'not pinned'}. Measured ${summary.date} by \`npm run bench\`${quick ? ' --quick' : ''}.\n\n${table}\n\n${latencies}\n\n${auditTable}\n`;
    fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), markdown);
    console.log(`\n${table}\n\n${latencies}\n\n${auditTable}\n\nWritten: .leash-bench/results.json, docs/benchmarks.md`);
  } finally {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        return Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }),
    );
    const { closeDb } = await import('../lib/db/client');
    await closeDb();
    await database.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

/** scripts/bench/audit-query.ts in a child process, on its own database. */
function auditQueryTimes(databaseUrl: string, rows: number): Promise<{ rows: number; userRows: number; results: Record<string, { p50: number; p95: number }> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/bench/audit-query.ts', String(rows)], {
      cwd: ROOT,
      // Filling millions of rows takes statements far longer than a request's (LEASH_DB_STATEMENT_TIMEOUT).
      env: { ...process.env, DATABASE_URL: databaseUrl, LEASH_DB_STATEMENT_TIMEOUT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`audit query bench exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    });
  });
}

/** A user who delegated to the bench agent, under a policy that does not rate-limit the run; issues its tokens in-process. */
async function benchDelegation(clientId: string, issuer: string) {
  const { createAccount } = await import('../lib/auth/create-account');
  const { seedWorkspace } = await import('../lib/workspace/seed-workspace');
  const { saveAgentPolicy } = await import('../lib/policy/save-agent-policy');
  const { defaultPolicyDocument } = await import('../lib/policy/policy-document');
  const { createAccessToken } = await import('../lib/tokens/issue-access-token');
  const { db } = await import('../lib/db/client');
  const email = `bench-${crypto.randomUUID()}@example.test`;
  const password = crypto.randomBytes(16).toString('hex');
  const created = await createAccount({ email, password, name: 'Bench' }, seedWorkspace);
  if (!created.ok) throw new Error('bench account');
  const userId = created.user.id;
  const agent = await db().agent.findUniqueOrThrow({ where: { clientId }, select: { id: true } });
  const grant = await db().grant.create({ data: { userId, agentId: agent.id, scopes: ['datasets:read'], resources: [`${issuer}/api`] }, select: { id: true } });
  await saveAgentPolicy({ userId, agentId: agent.id, document: { ...defaultPolicyDocument(), rateLimit: { perMinute: 1_000_000, perDay: 10_000_000 } }, savedById: userId });
  const issueWithId = (audience: string, dpopJkt?: string) =>
    db().$transaction((tx) =>
      createAccessToken(tx, { agentId: agent.id, userId, grantId: grant.id, scopes: ['datasets:read'], audience: [audience], dpopJkt }, { grantType: 'bench', ip: '127.0.0.1', ttlSeconds: 3600 }),
    );
  const issue = async (dpopJkt?: string) => (await issueWithId(`${issuer}/api`, dpopJkt)).token;
  return { email, password, userId, agentId: agent.id, issue, issueWithId };
}

/**
 * A registered API with a Shared Signals stream to a receiver in this process; then `samples`
 * tokens for it, each revoked over RFC 7009: milliseconds until its SET arrives.
 */
async function ssfPush(samples: number, issuer: string, port: number, delegation: Awaited<ReturnType<typeof benchDelegation>>, revoke: (token: string) => Promise<void>) {
  const { registerProtectedResource } = await import('../lib/protected-resources/manage-resources');
  const identifier = 'https://bench-orders.example.com/api';
  const { resource, clientSecret } = await registerProtectedResource(
    { identifier, name: 'Bench orders API', scopes: [{ name: 'benchorders:read', description: 'Read orders', risk: 'low' }], actions: [], tokenFormat: 'opaque', authMethod: 'client_secret_basic' },
    { id: delegation.userId, ip: '127.0.0.1' },
  );
  const receiver = await benchSsfReceiver(port);
  try {
    const created = await fetch(`${issuer}/ssf/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: basic(resource.clientId!, clientSecret!) },
      body: JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url } }),
    });
    if (created.status !== 201) throw new Error(`stream creation answered ${created.status}: ${await created.text()}`);
    return await ssfRevocation(samples, receiver, () => delegation.issueWithId(identifier), revoke);
  } finally {
    await receiver.close();
  }
}

await main();
