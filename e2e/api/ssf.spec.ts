// Leash as an OpenID Shared Signals transmitter (issue 14 §4; docs/shared-signals.md), against a
// real receiver: a `node:http` server on loopback (allowlisted: LEASH_SSF_ALLOWLIST) that verifies
// every SET with `jose` against Leash's JWKS (signature, typ, iss, aud) the way a resource server
// must. A registered protected resource manages its stream with its own credentials (HTTP Basic);
// revocations (RFC 7009), the kill switch and policy saves reach it as CAEP events naming the
// token, grant, agent and user introspection gave it; a failing or absent receiver gets them again,
// in order; every attempt is in the database. Delivery times are measured and reported, not asserted.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { sameOrigin } from '../support/accounts';
import { testDb } from '../support/db';
import { DEFAULT_POLICY, delegatedToken } from '../support/delegation';
import { basic, clientCredentialsToken, registerMachineClient } from '../support/oauth';
import { adminContext, registerResource, type RegisteredResource } from '../support/resources';
import { eventOf, SESSION_REVOKED, SET_TYP, startSsfReceiver, TOKEN_CLAIMS_CHANGE, VERIFICATION, type ReceivedSet, type SsfReceiver } from '../support/ssf-receiver';

const PUSH = 'urn:ietf:rfc:8935';
const port = Number(process.env.LEASH_TEST_SSF_PORT ?? 3105);

let receiver: SsfReceiver;
let admin: APIRequestContext;
/** The audience each receiver path expects (its resource's identifier). */
const audiences = new Map<string, string>();

test.beforeAll(async ({ baseURL }) => {
  receiver = await startSsfReceiver({ port, issuer: baseURL!, audienceOf: (path) => audiences.get(path) });
  admin = await adminContext(baseURL!);
});

test.afterAll(async () => {
  await receiver?.stop();
  await admin?.dispose();
});

const rs = (resource: RegisteredResource) => ({ Authorization: basic(resource.clientId, resource.clientSecret!) });

/** A registered resource with a stream pushing to `path` on the test's receiver. */
async function resourceWithStream(request: APIRequestContext, path: string, extra: Record<string, unknown> = {}) {
  const resource = await registerResource(admin);
  audiences.set(path, resource.identifier);
  const created = await request.post('/ssf/stream', { headers: rs(resource), data: { delivery: { method: PUSH, endpoint_url: receiver.url(path) }, ...extra } });
  expect(created.status(), await created.text()).toBe(201);
  return { resource, stream: await created.json() };
}

/** An agent's delegated token for the resource, and what introspection tells the resource about it. */
async function tokenFor(request: APIRequestContext, baseURL: string, resource: RegisteredResource) {
  const delegation = await delegatedToken(request, baseURL, resource.scopes[0]!, { resource: resource.identifier });
  const introspected = await (await request.post('/oauth/introspect', { headers: rs(resource), form: { token: delegation.token } })).json();
  expect(introspected).toMatchObject({ active: true, client_id: delegation.clientId, sub: delegation.userId });
  return { delegation, jti: introspected.jti as string, grantId: introspected.grant_id as string };
}

function expectSet(set: ReceivedSet, baseURL: string, audience: string) {
  expect(set.invalid).toBeUndefined();
  expect(set.contentType).toBe('application/secevent+jwt');
  expect(set.header).toMatchObject({ alg: 'ES256', typ: SET_TYP });
  expect(set.claims).toMatchObject({ iss: baseURL, aud: audience });
  expect(typeof set.claims.jti).toBe('string');
  expect(typeof set.claims.iat).toBe('number');
  expect(typeof set.claims.txn).toBe('string');
  // SSF §4.1.2, §4.1.7: never `sub`, never `exp`; one event (§4.2.1).
  expect(set.claims.sub).toBeUndefined();
  expect(set.claims.exp).toBeUndefined();
  expect(Object.keys(set.claims.events ?? {})).toHaveLength(1);
}

function subject(baseURL: string, ids: { jti?: string; grantId?: string; clientId: string; userId: string }) {
  return {
    format: 'complex',
    ...(ids.jti ? { token: { format: 'jwt_id', iss: baseURL, jti: ids.jti } } : {}),
    ...(ids.grantId ? { session: { format: 'opaque', id: ids.grantId } } : {}),
    application: { format: 'opaque', id: ids.clientId },
    user: { format: 'iss_sub', iss: baseURL, sub: ids.userId },
  };
}

const report = (name: string, ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!.toFixed(1);
  const line = `${name}: ${ms.length} samples, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
  test.info().annotations.push({ type: 'latency', description: line });
  console.log(`[ssf] ${line}`);
};

test('transmitter metadata at /.well-known/ssf-configuration', async ({ request, baseURL }) => {
  const response = await request.get('/.well-known/ssf-configuration');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('application/json');
  expect(await response.json()).toEqual({
    spec_version: '1_0',
    issuer: baseURL,
    jwks_uri: `${baseURL}/.well-known/jwks.json`,
    delivery_methods_supported: [PUSH],
    configuration_endpoint: `${baseURL}/ssf/stream`,
    status_endpoint: `${baseURL}/ssf/status`,
    verification_endpoint: `${baseURL}/ssf/verify`,
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:7617' }],
    default_subjects: 'ALL',
  });
});

test('a resource creates its stream, reads it, gets the verification event it asked for, updates it and deletes it', async ({ request, baseURL }) => {
  const path = '/lifecycle';
  const { resource, stream } = await resourceWithStream(request, path, { description: 'orders API', events_requested: [SESSION_REVOKED, 'urn:example:unknown'] });
  expect(stream).toEqual({
    stream_id: expect.any(String),
    iss: baseURL,
    aud: resource.identifier,
    delivery: { method: PUSH, endpoint_url: receiver.url(path) },
    events_supported: [SESSION_REVOKED, TOKEN_CLAIMS_CHANGE],
    events_requested: [SESSION_REVOKED, 'urn:example:unknown'],
    // SSF §8.1.1: unknown URIs are ignored.
    events_delivered: [SESSION_REVOKED],
    min_verification_interval: 5,
    description: 'orders API',
  });
  const one = await request.get(`/ssf/stream?stream_id=${stream.stream_id}`, { headers: rs(resource) });
  expect(one.status()).toBe(200);
  expect(one.headers()['cache-control']).toBe('no-store');
  expect(await one.json()).toEqual(stream);
  expect(await (await request.get('/ssf/stream', { headers: rs(resource) })).json()).toEqual([stream]);

  // One stream per resource (SSF §8.1.1.1: 409), and nothing changed.
  const again = await request.post('/ssf/stream', { headers: rs(resource), data: { delivery: { method: PUSH, endpoint_url: receiver.url('/elsewhere') } } });
  expect(again.status()).toBe(409);
  expect(await again.json()).toMatchObject({ error: 'conflict' });
  expect(await (await request.get('/ssf/stream', { headers: rs(resource) })).json()).toEqual([stream]);

  // Verification (SSF §8.1.4): 204, then the event with the state, about the stream itself.
  const verify = await request.post('/ssf/verify', { headers: rs(resource), data: { stream_id: stream.stream_id, state: 'state-123' } });
  expect(verify.status()).toBe(204);
  const verification = await receiver.waitFor(path, (s) => eventOf(s).type === VERIFICATION);
  expectSet(verification, baseURL!, resource.identifier);
  expect(verification.claims.sub_id).toEqual({ format: 'opaque', id: stream.stream_id });
  expect(eventOf(verification).body).toEqual({ state: 'state-123' });
  // Sooner than min_verification_interval: 429 with Retry-After, and nothing queued.
  const tooSoon = await request.post('/ssf/verify', { headers: rs(resource), data: { stream_id: stream.stream_id } });
  expect(tooSoon.status()).toBe(429);
  expect(tooSoon.headers()['retry-after']).toBe('5');
  const queued = await testDb().query("SELECT count(*)::int AS n FROM ssf_deliveries WHERE stream_id = $1 AND event_type = 'verification'", [stream.stream_id]);
  expect(queued.rows[0].n).toBe(1);

  // PATCH changes what it names (§8.1.1.3); PUT replaces the whole (§8.1.1.4).
  const patched = await request.patch('/ssf/stream', { headers: rs(resource), data: { stream_id: stream.stream_id, description: 'renamed', aud: resource.identifier } });
  expect(patched.status(), await patched.text()).toBe(200);
  expect(await patched.json()).toEqual({ ...stream, description: 'renamed' });
  const replaced = await request.put('/ssf/stream', { headers: rs(resource), data: { stream_id: stream.stream_id, delivery: { method: PUSH, endpoint_url: receiver.url(path) } } });
  expect(replaced.status(), await replaced.text()).toBe(200);
  const { description: _gone, events_requested: _alsoGone, ...rest } = stream;
  expect(await replaced.json()).toEqual({ ...rest, events_delivered: [SESSION_REVOKED, TOKEN_CLAIMS_CHANGE] });

  const status = await request.get(`/ssf/status?stream_id=${stream.stream_id}`, { headers: rs(resource) });
  expect(await status.json()).toEqual({ stream_id: stream.stream_id, status: 'enabled' });

  const deleted = await request.delete(`/ssf/stream?stream_id=${stream.stream_id}`, { headers: rs(resource) });
  expect(deleted.status()).toBe(204);
  expect(await (await request.get('/ssf/stream', { headers: rs(resource) })).json()).toEqual([]);
  const left = await testDb().query('SELECT (SELECT count(*)::int FROM ssf_streams WHERE id = $1) AS streams, (SELECT count(*)::int FROM ssf_deliveries WHERE stream_id = $1) AS sets', [
    stream.stream_id,
  ]);
  expect(left.rows[0]).toEqual({ streams: 0, sets: 0 });
});

test('bad stream requests get the spec’s errors and change nothing', async ({ request }) => {
  const path = '/bad-requests';
  const { resource, stream } = await resourceWithStream(request, path);
  const before = await testDb().query('SELECT endpoint_url, events_delivered, description, status FROM ssf_streams WHERE id = $1', [stream.stream_id]);

  // No credentials, wrong ones, an agent's: 401 invalid_client.
  for (const headers of [{}, { Authorization: basic(resource.clientId, 'wrong') }, { Authorization: basic('agent_nope', 'secret') }] as Record<string, string>[]) {
    const response = await request.get('/ssf/stream', { headers });
    expect(response.status()).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  }
  const other = await registerResource(admin);
  const creations: [Record<string, unknown>, number][] = [
    [{}, 400], // no delivery: poll (§8.1.1.1), not offered
    [{ delivery: { method: 'urn:ietf:rfc:8936' } }, 400],
    [{ delivery: { method: 'urn:example:carrier-pigeon', endpoint_url: receiver.url('/x') } }, 400],
    [{ delivery: { method: PUSH } }, 400],
    [{ delivery: { method: PUSH, endpoint_url: 'not a url' } }, 400],
    [{ delivery: { method: PUSH, endpoint_url: 'http://receiver.example.com/events' } }, 400], // plain http
    [{ delivery: { method: PUSH, endpoint_url: 'https://10.0.0.7/events' } }, 400], // inside the network
    [{ delivery: { method: PUSH, endpoint_url: 'https://169.254.169.254/latest' } }, 400],
    [{ delivery: { method: PUSH, endpoint_url: 'https://user:pw@receiver.example.com/events' } }, 400],
    [{ delivery: { method: PUSH, endpoint_url: receiver.url('/x') }, events_requested: 'all' }, 400],
  ];
  for (const [body, status] of creations) {
    const response = await request.post('/ssf/stream', { headers: rs(other), data: body });
    expect(response.status(), JSON.stringify(body)).toBe(status);
    expect((await response.json()).error).toBe('invalid_request');
  }
  const notJson = await request.post('/ssf/stream', { headers: { ...rs(other), 'Content-Type': 'text/plain' }, data: 'delivery=push' });
  expect(notJson.status()).toBe(415);
  expect((await testDb().query('SELECT count(*)::int AS n FROM ssf_streams WHERE resource_id = $1', [other.id])).rows[0].n).toBe(0);

  const updates: [string, Record<string, unknown>, number][] = [
    ['PATCH', { description: 'no stream_id' }, 400],
    ['PATCH', { stream_id: stream.stream_id, aud: 'https://someone-else.example.com' }, 400], // Transmitter-Supplied, must match
    ['PATCH', { stream_id: stream.stream_id, iss: 'https://evil.example.com' }, 400],
    ['PATCH', { stream_id: stream.stream_id, events_delivered: [SESSION_REVOKED] }, 400],
    ['PATCH', { stream_id: stream.stream_id, delivery: { method: PUSH, endpoint_url: 'https://127.0.0.1:1/x' } }, 400],
    ['PUT', { stream_id: stream.stream_id, description: 'no delivery' }, 400],
    ['PATCH', { stream_id: '0193aaaa-0000-7000-8000-000000000000', description: 'x' }, 404],
    ['PATCH', { stream_id: 'not-a-uuid', description: 'x' }, 404],
  ];
  for (const [method, body, status] of updates) {
    const response = await request.fetch('/ssf/stream', { method, headers: rs(resource), data: body });
    expect(response.status(), `${method} ${JSON.stringify(body)}`).toBe(status);
  }
  const statuses: [Record<string, unknown>, number][] = [
    [{ stream_id: stream.stream_id, status: 'asleep' }, 400],
    [{ status: 'paused' }, 400],
    [{ stream_id: '0193aaaa-0000-7000-8000-000000000000', status: 'paused' }, 404],
  ];
  for (const [body, status] of statuses) expect((await request.post('/ssf/status', { headers: rs(resource), data: body })).status(), JSON.stringify(body)).toBe(status);
  expect((await request.get('/ssf/status', { headers: rs(resource) })).status()).toBe(400);
  expect((await request.post('/ssf/verify', { headers: rs(resource), data: { state: 'x' } })).status()).toBe(400);
  expect((await request.delete('/ssf/stream', { headers: rs(resource) })).status()).toBe(400);

  const after = await testDb().query('SELECT endpoint_url, events_delivered, description, status FROM ssf_streams WHERE id = $1', [stream.stream_id]);
  expect(after.rows).toEqual(before.rows);
  expect((await testDb().query('SELECT count(*)::int AS n FROM ssf_deliveries WHERE stream_id = $1', [stream.stream_id])).rows[0].n).toBe(0);
});

test('one resource cannot see or touch another’s stream', async ({ request }) => {
  const { resource: owner, stream } = await resourceWithStream(request, '/owner');
  const intruder = await registerResource(admin);
  const id = stream.stream_id as string;
  const attempts = [
    request.get(`/ssf/stream?stream_id=${id}`, { headers: rs(intruder) }),
    request.patch('/ssf/stream', { headers: rs(intruder), data: { stream_id: id, delivery: { method: PUSH, endpoint_url: receiver.url('/stolen') } } }),
    request.put('/ssf/stream', { headers: rs(intruder), data: { stream_id: id, delivery: { method: PUSH, endpoint_url: receiver.url('/stolen') } } }),
    request.delete(`/ssf/stream?stream_id=${id}`, { headers: rs(intruder) }),
    request.get(`/ssf/status?stream_id=${id}`, { headers: rs(intruder) }),
    request.post('/ssf/status', { headers: rs(intruder), data: { stream_id: id, status: 'disabled' } }),
    request.post('/ssf/verify', { headers: rs(intruder), data: { stream_id: id } }),
  ];
  for (const response of await Promise.all(attempts)) {
    expect(response.status()).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  }
  expect(await (await request.get('/ssf/stream', { headers: rs(intruder) })).json()).toEqual([]);
  expect(await (await request.get(`/ssf/stream?stream_id=${id}`, { headers: rs(owner) })).json()).toEqual(stream);
  const row = await testDb().query('SELECT status, endpoint_url, verified_at FROM ssf_streams WHERE id = $1', [id]);
  expect(row.rows[0]).toEqual({ status: 'ENABLED', endpoint_url: receiver.url('/owner'), verified_at: null });
});

test('RFC 7009 revocation reaches the resource’s receiver as session-revoked naming the token, grant, agent and user', async ({ request, baseURL }) => {
  const path = '/revocation';
  const { resource, stream } = await resourceWithStream(request, path, { delivery: { method: PUSH, endpoint_url: receiver.url(path), authorization_header: 'Bearer receiver-secret' } });
  expect(stream.delivery).toEqual({ method: PUSH, endpoint_url: receiver.url(path) }); // the header is never answered
  const { delegation, jti, grantId } = await tokenFor(request, baseURL!, resource);

  const started = performance.now();
  const revoked = await request.post('/oauth/revoke', { form: { token: delegation.token, client_id: delegation.clientId } });
  expect(revoked.status()).toBe(200);
  const set = await receiver.waitFor(path, (s) => eventOf(s).type === SESSION_REVOKED);
  report('RFC 7009 revoke → SET received', [set.at - started]);

  expectSet(set, baseURL!, resource.identifier);
  expect(set.authorization).toBe('Bearer receiver-secret'); // SSF §6.1.1
  expect(set.claims.sub_id).toEqual(subject(baseURL!, { jti, grantId, clientId: delegation.clientId, userId: delegation.userId }));
  expect(eventOf(set).body).toEqual({ event_timestamp: set.claims.iat, reason_admin: { en: 'revoked by the client (RFC 7009)' } });
  // Recorded: delivered on the first attempt, with its answer.
  await expect
    .poll(async () => (await testDb().query('SELECT state, attempts, last_status FROM ssf_deliveries WHERE id = $1', [set.claims.jti])).rows[0])
    .toEqual({ state: 'DELIVERED', attempts: 1, last_status: 202 });
  // Another resource's stream hears nothing of this token (its audience is this resource only).
  expect(receiver.received.filter((s) => s.path !== path && JSON.stringify(s.claims.sub_id ?? {}).includes(jti))).toEqual([]);
});

test('the kill switch and resume from the dashboard, and a policy save, reach the receiver', async ({ request, baseURL }) => {
  const path = '/kill-switch';
  const { resource } = await resourceWithStream(request, path);
  const { delegation, jti, grantId } = await tokenFor(request, baseURL!, resource);
  const ids = { clientId: delegation.clientId, userId: delegation.userId };

  const started = performance.now();
  const suspended = await request.post(`/api/account/agents/${delegation.agentId}/suspend`, { headers: sameOrigin(baseURL) });
  expect(suspended.status(), await suspended.text()).toBe(200);
  const grantEvent = await receiver.waitFor(path, (s) => eventOf(s).type === SESSION_REVOKED && !(s.claims.sub_id as Record<string, unknown>).token);
  const tokenEvent = await receiver.waitFor(path, (s) => eventOf(s).type === SESSION_REVOKED && !!(s.claims.sub_id as Record<string, unknown>).token);
  report('kill switch → SET received', [Math.min(grantEvent.at, tokenEvent.at) - started]);
  expectSet(grantEvent, baseURL!, resource.identifier);
  expect(grantEvent.claims.sub_id).toEqual(subject(baseURL!, { grantId, ...ids }));
  expect(eventOf(grantEvent).body).toMatchObject({ reason_admin: { en: 'grant suspended (kill switch)' } });
  expect(tokenEvent.claims.sub_id).toEqual(subject(baseURL!, { jti, grantId, ...ids }));
  // One action, one transaction: the SETs share `txn` (SSF §4.1.9).
  expect(tokenEvent.claims.txn).toBe(grantEvent.claims.txn);

  const resumed = await request.post(`/api/account/agents/${delegation.agentId}/resume`, { headers: sameOrigin(baseURL) });
  expect(resumed.status(), await resumed.text()).toBe(200);
  const resumeEvent = await receiver.waitFor(path, (s) => eventOf(s).type === TOKEN_CLAIMS_CHANGE);
  expectSet(resumeEvent, baseURL!, resource.identifier);
  expect(resumeEvent.claims.sub_id).toEqual(subject(baseURL!, { grantId, ...ids }));
  expect(eventOf(resumeEvent).body).toMatchObject({ claims: { grant_status: 'active' } });

  const saved = await request.post(`/api/account/agents/${delegation.agentId}/policy`, { headers: sameOrigin(baseURL), data: { document: DEFAULT_POLICY, expected_version: 0 } });
  expect(saved.status(), await saved.text()).toBe(200);
  const { version } = await saved.json();
  const policyEvent = await receiver.waitFor(path, (s) => eventOf(s).type === TOKEN_CLAIMS_CHANGE && (eventOf(s).body.claims as Record<string, unknown>)?.policy_version === version);
  expectSet(policyEvent, baseURL!, resource.identifier);
  expect(policyEvent.claims.sub_id).toEqual(subject(baseURL!, ids));
  expect(eventOf(policyEvent).body).toEqual({ event_timestamp: policyEvent.claims.iat, reason_admin: { en: 'policy changed' }, claims: { policy_version: version } });

  // In the order they happened.
  const order = receiver.on(path).map((s) => s.claims.jti);
  expect(order.indexOf(tokenEvent.claims.jti)).toBeLessThan(order.indexOf(resumeEvent.claims.jti));
  expect(order.indexOf(resumeEvent.claims.jti)).toBeLessThan(order.indexOf(policyEvent.claims.jti));
});

test('a receiver answering 500 gets the SET again; a 400 refusal is recorded and not retried', async ({ request, baseURL }) => {
  const path = '/flaky';
  const { resource, stream } = await resourceWithStream(request, path);
  receiver.script(path, [{ status: 500 }, { status: 202 }]);
  const first = await tokenFor(request, baseURL!, resource);
  expect((await request.post('/oauth/revoke', { form: { token: first.delegation.token, client_id: first.delegation.clientId } })).status()).toBe(200);
  await expect.poll(() => receiver.on(path).filter((s) => eventOf(s).type === SESSION_REVOKED).length, { timeout: 15_000 }).toBe(2);
  const [a, b] = receiver.on(path);
  expect(b!.claims.jti).toBe(a!.claims.jti); // the same SET, again
  await expect.poll(async () => (await testDb().query('SELECT state, attempts FROM ssf_deliveries WHERE id = $1', [a!.claims.jti])).rows[0]).toEqual({ state: 'DELIVERED', attempts: 2 });
  const attempts = await testDb().query('SELECT status, error FROM ssf_delivery_attempts WHERE delivery_id = $1 ORDER BY at', [a!.claims.jti]);
  expect(attempts.rows).toEqual([
    { status: 500, error: 'the receiver answered 500' },
    { status: 202, error: null },
  ]);

  receiver.script(path, [{ status: 400, body: { err: 'invalid_audience', description: 'not for us' } }]);
  const second = await tokenFor(request, baseURL!, resource);
  expect((await request.post('/oauth/revoke', { form: { token: second.delegation.token, client_id: second.delegation.clientId } })).status()).toBe(200);
  const refused = await receiver.waitFor(path, (s) => JSON.stringify(s.claims.sub_id).includes(second.jti));
  await expect
    .poll(async () => (await testDb().query('SELECT state, attempts, last_status, last_error FROM ssf_deliveries WHERE id = $1', [refused.claims.jti])).rows[0])
    .toEqual({ state: 'REJECTED', attempts: 1, last_status: 400, last_error: 'invalid_audience: not for us' });

  // The admin sees the stream and every attempt.
  const seen = await admin.get(`/api/admin/resources/${resource.id}/ssf`);
  expect(seen.status()).toBe(200);
  const view = await seen.json();
  expect(view.stream).toMatchObject({ stream_id: stream.stream_id, status: 'enabled', pending: 0 });
  expect(view.deliveries.map((d: { jti: string; state: string; attempts: number }) => [d.jti, d.state, d.attempts])).toEqual([
    [refused.claims.jti, 'rejected', 1],
    [a!.claims.jti, 'delivered', 2],
  ]);
  expect(view.deliveries[1].attempt_log.map((x: { status: number }) => x.status)).toEqual([500, 202]);
  // Not for anyone but an administrator.
  expect((await request.get(`/api/admin/resources/${resource.id}/ssf`)).status()).toBe(403);
});

test('a receiver that is down catches up, in order, when it comes back; a paused stream holds its SETs', async ({ request, baseURL }) => {
  test.setTimeout(90_000);
  const path = '/down';
  const { resource, stream } = await resourceWithStream(request, path);
  const agents = [];
  for (let i = 0; i < 3; i++) agents.push(await tokenFor(request, baseURL!, resource));

  await receiver.stop();
  try {
    for (const agent of agents) expect((await request.post('/oauth/revoke', { form: { token: agent.delegation.token, client_id: agent.delegation.clientId } })).status()).toBe(200);
    // Tried while down (connection refused), recorded with no status, and the rest wait behind it.
    await expect
      .poll(
        async () =>
          (await testDb().query('SELECT count(*)::int AS n FROM ssf_delivery_attempts a JOIN ssf_deliveries d ON d.id = a.delivery_id WHERE d.stream_id = $1 AND a.status IS NULL', [stream.stream_id]))
            .rows[0].n,
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(2);
    const queued = await testDb().query('SELECT state, attempts FROM ssf_deliveries WHERE stream_id = $1 ORDER BY seq', [stream.stream_id]);
    expect(queued.rows.map((r) => r.state)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(queued.rows.slice(1).map((r) => r.attempts)).toEqual([0, 0]);
  } finally {
    await receiver.start();
  }
  await expect.poll(() => receiver.on(path).length, { timeout: 30_000 }).toBe(3);
  expect(receiver.on(path).map((s) => (s.claims.sub_id as { token: { jti: string } }).token.jti)).toEqual(agents.map((a) => a.jti));

  // Paused (SSF §8.1.2): held, not sent; enabled again: sent.
  const paused = await request.post('/ssf/status', { headers: rs(resource), data: { stream_id: stream.stream_id, status: 'paused', reason: 'maintenance' } });
  expect(await paused.json()).toEqual({ stream_id: stream.stream_id, status: 'paused', reason: 'maintenance' });
  const held = await tokenFor(request, baseURL!, resource);
  expect((await request.post('/oauth/revoke', { form: { token: held.delegation.token, client_id: held.delegation.clientId } })).status()).toBe(200);
  const pending = await testDb().query("SELECT state, attempts FROM ssf_deliveries WHERE stream_id = $1 AND facts->>'token_id' = $2", [stream.stream_id, held.jti]);
  expect(pending.rows).toEqual([{ state: 'PENDING', attempts: 0 }]);
  expect((await request.post('/ssf/status', { headers: rs(resource), data: { stream_id: stream.stream_id, status: 'enabled' } })).status()).toBe(200);
  await receiver.waitFor(path, (s) => JSON.stringify(s.claims.sub_id).includes(held.jti));
});

test('revoke → SET latency over 50 revocations (measured, reported)', async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  const path = '/latency';
  const { resource } = await resourceWithStream(request, path);
  const samples: number[] = [];
  const calls: number[] = [];
  // Machine agents (client_credentials for the resource), five tokens each: the token endpoint's per-client limit.
  for (let c = 0; c < 10; c++) {
    const client = await registerMachineClient(request, { scope: resource.scopes[0] });
    for (let i = 0; i < 5; i++) {
      const token = await clientCredentialsToken(request, client, { scope: resource.scopes[0]!, resource: resource.identifier });
      const { jti } = await (await request.post('/oauth/introspect', { headers: rs(resource), form: { token } })).json();
      const started = performance.now();
      const revoked = await request.post('/oauth/revoke', { headers: { Authorization: basic(client.client_id, client.client_secret!) }, form: { token } });
      expect(revoked.status()).toBe(200);
      const answered = performance.now();
      const set = await receiver.waitFor(path, (s) => (s.claims.sub_id as { token?: { jti: string } })?.token?.jti === jti);
      calls.push(answered - started);
      // An agent acting as itself: no user member, the agent by its client_id.
      expect(set.claims.sub_id).toEqual({ format: 'complex', token: { format: 'jwt_id', iss: baseURL, jti }, application: { format: 'opaque', id: client.client_id } });
      samples.push(set.at - started);
    }
  }
  report('RFC 7009 revoke → SET received', samples);
  report('RFC 7009 revoke call answered (for comparison)', calls);
  // Two instances deliver (this suite's two servers share the database): each SET was sent once.
  const jtis = receiver.on(path).map((s) => s.claims.jti);
  expect(jtis).toHaveLength(50);
  expect(new Set(jtis).size).toBe(50);
});
