// `npm run bench [-- --quick]`: Leash against node-oidc-provider on this machine, in the same run.
// Builds Leash if needed, starts it in production mode on its own embedded PostgreSQL and two peers
// (node-oidc-provider, minimal configuration: with its in-memory adapter, the ceiling, and with a
// PostgreSQL adapter on the same cluster, the fair peer) on 127.0.0.1, then drives them with
// autocannon, alternating, several rounds, each server pinned to core 0 when `taskset` exists.
// Prints medians, p50/p99, CPU per request (server and PostgreSQL) and both Leash/peer ratios;
// writes .leash-bench/results.json and docs/benchmarks.md. No assertion: the numbers are the output.
// Also measured: requests accepted after a revocation returned (must be 0).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres } from './lib/embedded-pg';
import { buildIfNeeded, generatePrismaClient, ROOT } from './lib/prepare';
import { deployMigrations } from './lib/schema-engine';
import { SERVER_ENTRY, SERVER_NODE_ARGS, SERVER_NODE_FLAGS } from '../server/launch';
import { dpopKey } from './bench/dpop-proof';
import { bearerToken, dpopBoundToken, introspection, type OAuthEndpoints } from './bench/oauth-targets';
import { postmasterPid } from './bench/cpu';
import { run, underLoad, type CpuWatch, type Sample, type Target } from './bench/load';
import { CPU_TEXT, cpuTable, FLOOR_TEXT, floorTable, OAUTH_SIDES, peersText, SIDES, summarizeScenario, throughputTable, type Row, type Side } from './bench/report';
import { crossInstancePolicyChange, crossInstanceRevocation, heardAfterAnswer, liveUpdate, percentile, signIn, summarizeCrossInstance, summarizeHeard } from './bench/latency';
import { benchSsfReceiver, ssfRevocation } from './bench/ssf-latency';
import { heapSampling, sampleAllocations } from './bench/heap';
import { placeSlowest, readTraces, tracing, type PlacedSample } from './bench/trace';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 2 : 3;
const SECONDS = quick ? 5 : 15;
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const LATENCY_SAMPLES = quick ? 20 : 60;
const AUDIT_ROWS = quick ? 1_000_000 : 10_000_000;
const pin = fs.existsSync('/usr/bin/taskset') && os.cpus().length >= 2;
const log = (line: string) => console.log(`[bench] ${line}`);
const peerVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'oidc-provider', 'package.json'), 'utf8')) as { version: string }).version;

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
    // LEASH_BENCH_PROFILE=<dir>: a V8 CPU profile of the Leash server for the whole run;
    // LEASH_BENCH_MARKS=<file>: each measured run's start and end, in the profile's clock
    // (monotonic µs), so a profile can be read for the measured runs alone.
    const profile = process.env.LEASH_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.LEASH_BENCH_PROFILE)}`] : [];
    // LEASH_BENCH_HEAP=<dir>: what the Leash server allocates per request in each measured run
    // (scripts/bench/heap.ts), and the allocation profiles in <dir>.
    const heapDir = process.env.LEASH_BENCH_HEAP ? path.resolve(process.env.LEASH_BENCH_HEAP) : null;
    const heap = heapDir ? heapSampling(heapDir) : { args: [], env: {} };
    // LEASH_BENCH_TRACE=<dir>: both instances write down their pauses and slow or refused requests
    // (scripts/bench/trace.ts), and the slowest samples of the revocation under load are placed
    // among instance B's.
    const traceDir = process.env.LEASH_BENCH_TRACE ? path.resolve(process.env.LEASH_BENCH_TRACE) : null;
    const trace = traceDir ? tracing(traceDir) : { args: [], env: {} };
    const leash = startProcess(process.execPath, [...profile, ...SERVER_NODE_ARGS, ...heap.args, ...trace.args, SERVER_ENTRY], { ...env, ...heap.env, ...trace.env });
    children.push(leash);
    await waitFor(`${issuer}/api/health`, leash);

    // The two peers (issue 16 §3), the same node-oidc-provider configuration: its in-memory adapter
    // (the ceiling: nothing survives a restart) and our PostgreSQL adapter on this same cluster (the
    // fair peer: what a deployment must persist, persisted). Same core, pinning and Node heap flags
    // as Leash (server/launch.ts): the ratios compare the code, not the tuning.
    const peerSecret = crypto.randomBytes(24).toString('base64url');
    const peerUrls = {} as Record<'memory' | 'postgres', string>;
    const postgresPid = postmasterPid(path.join(runDir, 'postgres'));
    const watch = { leash: { serverPid: leash.pid!, postgresPid } } as Record<Side, CpuWatch>;
    for (const mode of ['memory', 'postgres'] as const) {
      const port = await findFreePort();
      const args = [...SERVER_NODE_FLAGS, '--import', 'tsx', 'scripts/bench/peer-oidc-provider.mjs', String(port), peerSecret, ...(mode === 'postgres' ? [database.url] : [])];
      const peer = startProcess(process.execPath, args, { NODE_ENV: 'production' });
      children.push(peer);
      peerUrls[mode] = `http://127.0.0.1:${port}`;
      await waitFor(`${peerUrls[mode]}/.well-known/openid-configuration`, peer);
      watch[mode] = { serverPid: peer.pid!, postgresPid };
    }

    // Leash: a confidential agent (client_credentials), and a user-delegated token for API reads
    // under a policy whose rate limit does not cap the run (set up in-process, not measured).
    const registered = await (
      await fetch(`${issuer}/oauth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_name: 'Bench agent', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'datasets:read' }),
      })
    ).json();
    const peerAuth = basic('bench', peerSecret);
    const peerBody = 'grant_type=client_credentials&scope=api%3Aread';
    const oauth: Record<(typeof OAUTH_SIDES)[number], OAuthEndpoints> = {
      leash: {
        token: `${issuer}/oauth/token`,
        introspect: `${issuer}/oauth/introspect`,
        authorization: basic(registered.client_id, registered.client_secret),
        body: 'grant_type=client_credentials&scope=datasets%3Aread',
      },
      memory: { token: `${peerUrls.memory}/token`, introspect: `${peerUrls.memory}/token/introspection`, authorization: peerAuth, body: peerBody },
      postgres: { token: `${peerUrls.postgres}/token`, introspect: `${peerUrls.postgres}/token/introspection`, authorization: peerAuth, body: peerBody },
    };
    const leashAuth = oauth.leash.authorization;
    const tokenBody = oauth.leash.body;
    const delegation = await benchDelegation(registered.client_id, issuer);
    const apiToken = await delegation.issue();
    // A DPoP-bound token for the same call (RFC 9449 §7): a fresh proof per request, with the
    // server's nonce (fetched once, then taken from the responses as it rotates).
    const key = dpopKey();
    const boundToken = await delegation.issue(key.jkt);
    const apiUrl = `${issuer}/api/v1/datasets`;
    let nonce = (await fetch(apiUrl, { headers: { Authorization: `DPoP ${boundToken}`, DPoP: key.proof('GET', apiUrl, boundToken, undefined) } })).headers.get('dpop-nonce') ?? undefined;

    // The API reads' floor (scripts/bench/floor-http.mjs): Leash's answer to the read, recorded once
    // here and written back by a server that checks nothing, pinned and started like Leash.
    const recorded = await fetch(apiUrl, { headers: { Authorization: `Bearer ${apiToken}` } });
    const hopByHop = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);
    if (recorded.status !== 200) throw new Error(`the read answered ${recorded.status}: no floor to record`);
    const answerFile = path.join(runDir, 'floor-answer.json');
    fs.writeFileSync(answerFile, JSON.stringify({ status: recorded.status, headers: Object.fromEntries([...recorded.headers].filter(([name]) => !hopByHop.has(name))), body: await recorded.text() }));
    const floorPort = await findFreePort();
    const floor = startProcess(process.execPath, [...SERVER_NODE_FLAGS, 'scripts/bench/floor-http.mjs', String(floorPort), answerFile], {});
    children.push(floor);
    const floorUrl = `http://127.0.0.1:${floorPort}/api/v1/datasets`;
    await waitFor(floorUrl, floor);
    watch.floor = { serverPid: floor.pid!, postgresPid };

    // Each side's target is made right before its scenario: the in-memory peer keeps 1,000 entries
    // (an LRU), so a token issued before the issuance scenario is gone by the introspection one.
    const everySide = (make: (endpoints: OAuthEndpoints) => Promise<Target>) => Object.fromEntries(OAUTH_SIDES.map((side) => [side, () => make(oauth[side])]));
    const scenarios: { name: string; targets: Partial<Record<Side, () => Promise<Target>>> }[] = [
      {
        name: 'token issuance (client_credentials, opaque)',
        targets: everySide(async (o) => ({ url: o.token, method: 'POST', headers: { ...form, Authorization: o.authorization }, body: o.body })),
      },
      { name: 'introspection of a Bearer token', targets: everySide(async (o) => introspection(o, await bearerToken(o))) },
      { name: 'introspection of a DPoP-bound token', targets: everySide(async (o) => introspection(o, await dpopBoundToken(o, dpopKey()))) },
      {
        name: 'protected API read (lookup, Cedar, rate limit, audit row)',
        targets: {
          leash: async () => ({ url: apiUrl, method: 'GET', headers: { Authorization: `Bearer ${apiToken}` } }),
          floor: async () => ({ url: floorUrl, method: 'GET', headers: { Authorization: `Bearer ${apiToken}` } }),
        },
      },
      {
        name: 'the same read with a DPoP-bound token (proof per request, jti stored)',
        targets: {
          leash: async () => ({
            url: apiUrl,
            method: 'GET',
            headers: { Authorization: `DPoP ${boundToken}` },
            perRequest: () => ({ DPoP: key.proof('GET', apiUrl, boundToken, nonce) }),
            onHeaders: (headers) => {
              if (headers['dpop-nonce']) nonce = headers['dpop-nonce'];
            },
          }),
          // The same requests, proofs included (made by the load generator, not checked).
          floor: async () => ({ url: floorUrl, method: 'GET', headers: { Authorization: `DPoP ${boundToken}` }, perRequest: () => ({ DPoP: key.proof('GET', apiUrl, boundToken, nonce) }) }),
        },
      },
    ];

    const rows: Row[] = [];
    // LEASH_BENCH_ONLY=<text>: only the scenarios whose name contains it (profiling one path).
    const only = process.env.LEASH_BENCH_ONLY;
    for (const scenario of scenarios.filter((s) => !only || s.name.includes(only))) {
      const targets: Partial<Record<Side, Target>> = {};
      for (const side of SIDES) if (scenario.targets[side]) targets[side] = await scenario.targets[side]!();
      const samples: Record<Side, Sample[]> = { leash: [], memory: [], postgres: [], floor: [] };
      // A short unmeasured run of each side first: JIT compilation, caches and pools warm up.
      for (const side of SIDES) {
        await targets[side]?.verify?.();
        if (targets[side]) await run(targets[side]!, { seconds: WARMUP_SECONDS, connections: CONNECTIONS });
      }
      for (let round = 1; round <= ROUNDS; round++) {
        for (const side of SIDES) {
          const target = targets[side];
          if (!target) continue;
          // CPU is read around each measured run: the peer with PostgreSQL shares Leash's cluster.
          const markStart = process.hrtime.bigint() / 1000n;
          const measure = () => run(target, { seconds: SECONDS, connections: CONNECTIONS, watch: watch[side] });
          let sample: Sample;
          if (heapDir && side === 'leash') {
            const sampled = await sampleAllocations(leash, heapDir, measure);
            sample = sampled.result;
            log(`${scenario.name} · leash · round ${round}: allocated ${(sampled.bytes / sample.requests / 1024).toFixed(1)} KiB/request (${sample.requests} requests)`);
          } else sample = await measure();
          if (process.env.LEASH_BENCH_MARKS) fs.appendFileSync(process.env.LEASH_BENCH_MARKS, `${side} ${markStart} ${process.hrtime.bigint() / 1000n}\n`);
          samples[side].push(sample);
          log(
            `${scenario.name} · ${side} · round ${round}: ${Math.round(sample.rps)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms, CPU ${sample.cpuUs} µs/req, PostgreSQL ${sample.postgresCpuUs} µs/req${sample.non2xx ? `, ${sample.non2xx} non-2xx` : ''}`,
          );
        }
      }
      // Still measuring what it says (the introspected token still active) after the rounds.
      for (const side of SIDES) await targets[side]?.verify?.();
      rows.push(summarizeScenario(scenario.name, samples));
    }

    // Revocation: the revoke call returns, then nothing with that token is accepted.
    const victim = (await (await fetch(`${issuer}/oauth/token`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: tokenBody })).json()).access_token as string;
    await fetch(`${issuer}/oauth/revoke`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: `token=${victim}` });
    const after = await Promise.all(Array.from({ length: 200 }, () => fetch(`${issuer}/api/v1/datasets`, { headers: { Authorization: `Bearer ${victim}` } }).then((r) => r.status)));
    const acceptedAfterRevoke = after.filter((s) => s === 200).length;

    // A second instance on the same database: how long until it refuses a token revoked on the first.
    const portB = await findFreePort();
    // B writes down when each invalidation reaches it (lib/cache/hot-cache.ts), so the report can
    // tell the revocation's travel apart from B's time to answer.
    const traceB = path.join(runDir, 'instance-b-invalidations.log');
    const instanceB = startProcess(process.execPath, [...SERVER_NODE_ARGS, ...trace.args, SERVER_ENTRY], {
      ...env,
      ...trace.env,
      PORT: String(portB),
      LEASH_ISSUER: issuer,
      LEASH_TRACE_INVALIDATIONS: traceB,
    });
    children.push(instanceB);
    await waitFor(`http://127.0.0.1:${portB}/api/health`, instanceB);
    const issueMachineToken = async () =>
      (await (await fetch(`${issuer}/oauth/token`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: tokenBody })).json()).access_token as string;
    const revokeOnA = async (token: string) => {
      const answer = await fetch(`${issuer}/oauth/revoke`, { method: 'POST', headers: { ...form, Authorization: leashAuth }, body: `token=${token}` });
      if (answer.status !== 200) throw new Error(`revoke answered ${answer.status}`);
    };
    log('revocation between instances…');
    // One sample more than the others: B is fresh, and its first one is reported apart (summarizeCrossInstance).
    const crossInstance = await crossInstanceRevocation(LATENCY_SAMPLES + 1, `http://127.0.0.1:${portB}`, issueMachineToken, revokeOnA);
    // The same while both instances answer the audited API read at full load (issue 16: the bound
    // must hold under load, not only idle).
    log('revocation between instances, both under the API read at full load…');
    const readOn = (base: string): Target => ({ url: `${base}/api/v1/datasets`, method: 'GET', headers: { Authorization: `Bearer ${apiToken}` } });
    const loaded = await underLoad([readOn(issuer), readOn(`http://127.0.0.1:${portB}`)], CONNECTIONS, () =>
      crossInstanceRevocation(LATENCY_SAMPLES, `http://127.0.0.1:${portB}`, issueMachineToken, revokeOnA),
    );
    const crossInstanceLoaded = loaded.result;
    const traced = fs.readFileSync(traceB, 'utf8');
    const heardIdle = summarizeHeard(heardAfterAnswer(traced, crossInstance.changes!, 'token'), true);
    const heardLoaded = summarizeHeard(heardAfterAnswer(traced, crossInstanceLoaded.changes!, 'token'), false);
    let placedLoaded: PlacedSample[] | undefined;
    if (traceDir) {
      // The traces are written once a second: wait for the last of the loaded phase.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const answeredAt = crossInstanceLoaded.changes!.map((c) => c.answeredAt);
      placedLoaded = placeSlowest(readTraces(traceDir, portB), answeredAt, crossInstanceLoaded.latencies, 3);
      for (const placed of placedLoaded) log(`revocation under load, sample ${placed.sample} (${placed.ms} ms), on instance B: ${JSON.stringify({ refusal: placed.refusal, during: placed.during })}`);
    }
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
    // B's first deny ever is the first sample: reported apart, as above.
    const policyChange = await crossInstancePolicyChange(LATENCY_SAMPLES + 1, `http://127.0.0.1:${portB}`, await delegation.issue(), savePolicyOnA);
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

    const summary = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, pinned: pin },
      settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
      peers: { 'node-oidc-provider': peerVersion, memory: 'its in-memory adapter (the ceiling)', postgres: 'scripts/bench/oidc-postgres-adapter.ts on the same PostgreSQL (the fair peer)' },
      // Per scenario: req/s, p50/p99 ms, µs of CPU per request (server process tree, PostgreSQL cluster)
      // for Leash, the peer in memory and the peer with PostgreSQL; ratio = Leash req/s / the peer's.
      rows,
      acceptedAfterRevoke,
      // Steady-state percentiles; B's first sample apart (firstMs); staleAnswers: B's answers after the
      // change call returned that still ignored it, over all samples.
      // heardAfterAnswerMs: when B's invalidation callback ran, from A's answer (negative: before it).
      revocationBetweenInstancesMs: { ...summarizeCrossInstance(crossInstance, true), heardAfterAnswerMs: heardIdle },
      revocationBetweenInstancesUnderLoadMs: {
        ...summarizeCrossInstance(crossInstanceLoaded, false),
        heardAfterAnswerMs: heardLoaded,
        // When each sample's revoke call answered (epoch ms, the clock of B's traces): a slow sample
        // can be laid over a trace of B (garbage collection, event-loop delay) taken in the same run.
        answeredAtEpochMs: crossInstanceLoaded.changes!.map((c) => Math.round(c.answeredAt)),
        ...(placedLoaded ? { slowestOnInstanceB: placedLoaded } : {}),
        loadRequests: loaded.requests,
        loadNon2xx: loaded.non2xx,
      },
      policyChangeBetweenInstancesMs: summarizeCrossInstance(policyChange, true),
      liveUpdateMs: { p50: percentile(live, 0.5), p95: percentile(live, 0.95), samples: live.length },
      ssfPushMs: { p50: percentile(ssf, 0.5), p99: percentile(ssf, 0.99), samples: ssf.length },
      auditBrowser: audit,
    };
    fs.mkdirSync(path.join(ROOT, '.leash-bench'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, '.leash-bench', 'results.json'), JSON.stringify(summary, null, 2) + '\n');
    const table = throughputTable(rows);
    const cpu = cpuTable(rows);
    const floorText = `${FLOOR_TEXT}\n\n${floorTable(rows)}`;
    const auditTable = [
      `| audit browser page (${audit.userRows.toLocaleString('en-US')} of the user's ${audit.rows.toLocaleString('en-US')} rows) | p50 ms | p95 ms |`,
      '| --- | --- | --- |',
      ...Object.entries(audit.results).map(([shape, t]) => `| ${shape} | ${t.p50} | ${t.p95} |`),
    ].join('\n');
    const latencies = [
      `Requests accepted after a revocation returned: **${acceptedAfterRevoke}** of 200.`,
      `Revocation reaching a second instance (same database, LISTEN/NOTIFY; from the revoke call's answer on the first to the second's refusal, its time to answer included): p50 **${summary.revocationBetweenInstancesMs.p50} ms**, p99 **${summary.revocationBetweenInstancesMs.p99} ms** (${summary.revocationBetweenInstancesMs.samples} samples, the slowest being sample ${summary.revocationBetweenInstancesMs.slowestSample} of ${crossInstance.latencies.length}; the fresh instance's first refusal, its code still cold: ${summary.revocationBetweenInstancesMs.firstMs} ms). Answers from the second instance still accepting the token after the revoke call returned: **${summary.revocationBetweenInstancesMs.staleAnswers}**. The notification itself reached the second instance (its invalidation ran) p50 ${heardIdle.p50} ms, p99 ${heardIdle.p99} ms, at the latest ${heardIdle.max} ms after the revoke call's answer (negative: before it).`,
      `The same while both instances answer the audited API read at full load (${CONNECTIONS} connections between them; ${loaded.requests.toLocaleString('en-US')} reads meanwhile): p50 **${summary.revocationBetweenInstancesUnderLoadMs.p50} ms**, p99 **${summary.revocationBetweenInstancesUnderLoadMs.p99} ms** (${summary.revocationBetweenInstancesUnderLoadMs.samples} samples, the slowest being sample ${summary.revocationBetweenInstancesUnderLoadMs.slowestSample}, every one in .leash-bench/results.json; the refusal waits its turn behind the load's requests). Answers still accepting after the revoke call returned: **${summary.revocationBetweenInstancesUnderLoadMs.staleAnswers}**. The notification itself reached the second instance p50 ${heardLoaded.p50} ms, p99 ${heardLoaded.p99} ms, at the latest ${heardLoaded.max} ms after the revoke call's answer: the rest is the second instance's time to answer under this load.`,
      `Policy change reaching a second instance (saved on the first through the dashboard API → the second decides by it): p50 **${summary.policyChangeBetweenInstancesMs.p50} ms**, p99 **${summary.policyChangeBetweenInstancesMs.p99} ms** (${summary.policyChangeBetweenInstancesMs.samples} samples, the slowest being sample ${summary.policyChangeBetweenInstancesMs.slowestSample} of ${policyChange.latencies.length}; its first deny ever: ${summary.policyChangeBetweenInstancesMs.firstMs} ms). Answers by the old policy after the save call returned: **${summary.policyChangeBetweenInstancesMs.staleAnswers}**.`,
      `Live update (revoke call → dashboard event stream): p50 **${summary.liveUpdateMs.p50} ms**, p95 **${summary.liveUpdateMs.p95} ms** (${live.length} samples).`,
      `Revocation pushed to a resource server (RFC 7009 revoke call → the signed SET received, Shared Signals over RFC 8935): p50 **${summary.ssfPushMs.p50} ms**, p99 **${summary.ssfPushMs.p99} ms** (${ssf.length} samples).`,
    ].join('\n\n');
    const markdown = `# Benchmarks\n\nMedians of ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${summary.machine.cpus} cores (${summary.machine.model}), Node ${process.version}, ${pin ? 'servers pinned to core 0 (load generator and PostgreSQL unpinned)' : 'not pinned'}. Measured ${summary.date} by \`npm run bench\`${quick ? ' --quick' : ''}.\n\n${peersText(peerVersion)}\n\n${table}\n\n## CPU per request\n\n${CPU_TEXT}\n\n${cpu}\n\n## The API reads' floor\n\n${floorText}\n\n## Latencies\n\n${latencies}\n\n## Audit browser\n\n${auditTable}\n`;
    fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), markdown);
    console.log(`\n${table}\n\n${cpu}\n\n${floorTable(rows)}\n\n${latencies}\n\n${auditTable}\n\nWritten: .leash-bench/results.json, docs/benchmarks.md`);
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
