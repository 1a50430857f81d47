// Leash as an OpenID AuthZEN Authorization API 1.0 PDP (issue 14 §3, docs/authzen.md): a registered
// API asks whether an agent acting for a person may take one of the API's own actions. The spec's
// own example requests are answered as the spec says (§6, §7, §7.1.1, §7.1.2.1, §9, §10.1.3); the
// policy simulator (its API route, used by the dashboard) and the PDP agree on a table of cases;
// the PEP must authenticate (401), may only ask about its own actions and tokens (403 / closed),
// and a malformed body is a 400 that writes nothing; every evaluation has its audit row.
import crypto from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { sameOrigin } from '../support/accounts';
import { testDb } from '../support/db';
import { DEFAULT_POLICY, delegatedToken, setPolicy, type Delegation } from '../support/delegation';
import { basic, registerMachineClient } from '../support/oauth';
import { adminContext, ordersApi, registerResource, uniqueWord, type RegisteredResource } from '../support/resources';

let admin: APIRequestContext;
/** The orders API: the spec's example actions and ours. */
let orders: RegisteredResource;
let area: string;
/** Another registered API, with its own actions. */
let other: RegisteredResource;

test.beforeAll(async ({ baseURL }) => {
  admin = await adminContext(baseURL!);
  area = uniqueWord('orders');
  const read = `${area}:read`;
  const write = `${area}:write`;
  orders = await registerResource(
    admin,
    ordersApi({
      identifier: `https://${area}.example.com/api`,
      name: 'Orders API',
      scopes: [
        { name: read, description: 'Read your orders', risk: 'low' },
        { name: write, description: 'Change your orders', risk: 'high' },
      ],
      actions: [
        // The spec's examples (§6.1, §7.1), in Leash's area.verb form of action names.
        { name: 'docs.can_read', scope: read, risk: 'low', description: 'Read a document' },
        { name: 'docs.can_edit', scope: write, risk: 'high', description: 'Edit a document' },
        { name: 'docs.read', scope: read, risk: 'low', description: 'Read' },
        // The table's.
        { name: 'orders.list', scope: read, risk: 'low', description: 'List orders' },
        { name: 'orders.export', scope: read, risk: 'low', description: 'Export orders' },
        { name: 'orders.cancel', scope: write, risk: 'medium', description: 'Cancel an order' },
        { name: 'orders.refund', scope: write, risk: 'high', description: 'Refund an order' },
      ],
    }),
  );
  other = await registerResource(admin, ordersApi());
});

test.afterAll(async () => {
  await admin.dispose();
});

/** A person who let an agent use the orders API (a token whose audience is exactly it). */
async function delegation(request: APIRequestContext, baseURL: string, resource = orders): Promise<Delegation & { email: string }> {
  const scope = resource === orders ? `${area}:read ${area}:write` : resource.scopes.join(' ');
  const delegated = await delegatedToken(request, baseURL, scope, { resource: resource.identifier });
  const { rows } = await testDb().query('SELECT email FROM users WHERE id = $1', [delegated.userId]);
  return { ...delegated, email: rows[0].email };
}

const asPep = (resource: RegisteredResource, requestId = crypto.randomUUID()) => ({
  Authorization: basic(resource.clientId, resource.clientSecret!),
  'Content-Type': 'application/json',
  'X-Request-ID': requestId,
});

function ask(request: APIRequestContext, path: 'evaluation' | 'evaluations', body: unknown, headers: Record<string, string> = asPep(orders)) {
  // Bytes, as written: Playwright would JSON-encode a string that is not JSON itself.
  return request.post(`/access/v1/${path}`, { headers, data: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });
}

/** The audit rows of the evaluations asked with this X-Request-ID, in order. */
async function rowsOf(pepRequestId: string) {
  const { rows } = await testDb().query(
    "SELECT decision, reason, user_id, agent_id, token_id, details FROM audit_events WHERE action = 'authzen.evaluation' AND details->>'pep_request_id' = $1 ORDER BY id",
    [pepRequestId],
  );
  return rows;
}

const userSubject = (d: { email: string; clientId: string }) => ({ type: 'user', id: d.email, properties: { agent: d.clientId } });

/** The issuer (both mounts of the suite serve one issuer). */
async function issuerOf(request: APIRequestContext): Promise<string> {
  return (await (await request.get('/.well-known/oauth-authorization-server')).json()).issuer;
}

test('publishes its PDP metadata (§9): the issuer is the PDP', async ({ request }) => {
  const issuer = await issuerOf(request);
  const response = await request.get('/.well-known/authzen-configuration');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('application/json');
  expect(await response.json()).toEqual({
    policy_decision_point: issuer,
    access_evaluation_endpoint: `${issuer}/access/v1/evaluation`,
    access_evaluations_endpoint: `${issuer}/access/v1/evaluations`,
  });
});

test('answers the spec’s example evaluation (§6.1, §10.1.3): its action is not this API’s; with the API’s own, by the policy', async ({ request, baseURL }) => {
  const example = {
    subject: { type: 'user', id: 'alice@example.com' },
    resource: { type: 'account', id: '123' },
    action: { name: 'can_read', properties: { method: 'GET' } },
    context: { time: '1985-10-26T01:22-07:00' },
  };
  const id = 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716';
  const literal = await ask(request, 'evaluation', example, asPep(orders, id));
  expect(literal.status()).toBe(403);
  expect(literal.headers()['x-request-id']).toBe(id);
  expect(await literal.text()).toBe(`${orders.identifier} declares no action "can_read".`);

  // The API's own action, about a subject that does not name the agent: closed, with why (§7.2.1).
  const noAgent = await ask(request, 'evaluation', { ...example, action: { name: 'docs.can_read' } });
  expect(noAgent.status()).toBe(200);
  expect(noAgent.headers()['cache-control']).toBe('no-store');
  expect(await noAgent.json()).toEqual({ decision: false, context: { error: { status: 400, message: 'A subject of type "user" names the agent acting for them in properties.agent.' } } });

  const alice = await delegation(request, baseURL!);
  const adapted = await ask(request, 'evaluation', { ...example, subject: userSubject(alice), action: { name: 'docs.can_read' } });
  expect(adapted.status()).toBe(200);
  const body = await adapted.json();
  expect(body).toMatchObject({
    decision: true,
    context: { outcome: 'allow', rule: `permit:${orders.identifier}#docs.can_read`, reason: 'Orders API: docs.can_read is allowed (allow)', policy_version: 0 },
  });
  expect(body.context.cedar).toContain(`permit (principal, action == Leash::Action::"${orders.identifier}#docs.can_read", resource)`);
});

test('answers the spec’s batch examples: defaults, overrides and the three semantics (§7.1.1, §7.1.2.1)', async ({ request, baseURL }) => {
  const alice = await delegation(request, baseURL!);
  const context = { time: '2024-05-31T15:22-07:00' };
  const id = crypto.randomUUID();
  const boxcar = await ask(
    request,
    'evaluations',
    {
      subject: userSubject(alice),
      context,
      action: { name: 'docs.can_read' },
      evaluations: [
        { resource: { type: 'document', id: 'boxcarring.md' } },
        { resource: { type: 'document', id: 'subject-search.md' } },
        { action: { name: 'docs.can_edit' }, resource: { type: 'document', id: 'resource-search.md' } },
      ],
    },
    asPep(orders, id),
  );
  expect(boxcar.status()).toBe(200);
  expect(boxcar.headers()['x-request-id']).toBe(id);
  const answers = (await boxcar.json()).evaluations;
  // docs.can_edit is high risk: the person's approval is needed.
  expect(answers.map((a: { decision: boolean; context: { outcome: string } }) => [a.decision, a.context.outcome])).toEqual([
    [true, 'allow'],
    [true, 'allow'],
    [false, 'approval'],
  ]);
  expect((await rowsOf(id)).map((r) => [r.decision, r.details.resource_id])).toEqual([
    ['ALLOW', 'boxcarring.md'],
    ['ALLOW', 'subject-search.md'],
    ['APPROVAL', 'resource-search.md'],
  ]);

  // Document 2 is in a dataset the policy does not allow: true, false, true.
  await setPolicy(alice, { resources: { datasets: ['shelf'] } });
  const three = (semantic?: string) => ({
    subject: userSubject(alice),
    action: { name: 'docs.read' },
    ...(semantic ? { options: { evaluations_semantic: semantic } } : {}),
    evaluations: ['shelf', 'vault', 'shelf'].map((dataset, i) => ({ resource: { type: 'document', id: String(i + 1) }, context: { dataset } })),
  });
  for (const [semantic, expected] of [
    [undefined, [true, false, true]],
    ['execute_all', [true, false, true]],
    ['deny_on_first_deny', [true, false]],
    ['permit_on_first_permit', [true]],
  ] as const) {
    const requestId = crypto.randomUUID();
    const response = await ask(request, 'evaluations', three(semantic), asPep(orders, requestId));
    expect(response.status()).toBe(200);
    const evaluations = (await response.json()).evaluations;
    expect(
      evaluations.map((e: { decision: boolean }) => e.decision),
      semantic,
    ).toEqual(expected);
    if ((expected as readonly boolean[]).includes(false)) expect(evaluations[1].context).toMatchObject({ outcome: 'deny', rule: 'datasets', reason: 'only these datasets are allowed: shelf' });
    // What was not evaluated was not recorded.
    expect((await rowsOf(requestId)).map((r) => r.decision)).toEqual(expected.map((d) => (d ? 'ALLOW' : 'DENY')));
  }

  // Without evaluations, the batch endpoint answers one decision (§7.1).
  const single = await ask(request, 'evaluations', { subject: userSubject(alice), action: { name: 'docs.read' }, resource: { type: 'document', id: '9' } });
  expect(await single.json()).toMatchObject({ decision: true, context: { outcome: 'allow' } });
});

test('the PDP and the policy simulator agree on a table of cases, each evaluation audited as the real call would be', async ({ request, baseURL }) => {
  const person = await delegation(request, baseURL!);
  const document = {
    ...DEFAULT_POLICY,
    resources: { datasets: ['sales', 'ops'], maxSensitivity: 'internal' },
    paymentLimit: { currency: 'EUR', amountMinor: 5_000 },
    timeWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
    timeZone: 'UTC',
    ipRanges: ['203.0.113.0/24'],
    resourceActions: { [orders.identifier]: { 'orders.export': 'deny', 'orders.cancel': 'step_up' } },
  };
  await setPolicy(person, document);
  const tuesday = '2026-11-24T10:30:00Z';
  const cases: { name: string; action: string; at?: string; ip?: string; dataset?: string; sensitivity?: string; amount?: string; currency?: string; expected: [string, string, boolean, string] }[] = [
    { name: 'allowed', action: 'orders.list', expected: ['allow', 'permit:{id}#orders.list', true, 'ALLOW'] },
    { name: 'denied by its rule', action: 'orders.export', expected: ['deny', 'deny-action:{id}#orders.export', false, 'DENY'] },
    { name: 'step-up', action: 'orders.cancel', expected: ['step_up', 'permit:{id}#orders.cancel', false, 'STEP_UP'] },
    { name: 'approval', action: 'orders.refund', expected: ['approval', 'permit:{id}#orders.refund', false, 'APPROVAL'] },
    { name: 'amount within the limit', action: 'orders.refund', amount: '50.00', expected: ['approval', 'permit:{id}#orders.refund', false, 'APPROVAL'] },
    { name: 'amount over the limit', action: 'orders.refund', amount: '50.01', expected: ['deny', 'amount-limit', false, 'DENY'] },
    { name: 'amount in another currency', action: 'orders.refund', amount: '10', currency: 'USD', expected: ['deny', 'amount-limit', false, 'DENY'] },
    { name: 'outside hours', action: 'orders.list', at: '2026-11-24T20:00:00Z', expected: ['deny', 'time-window', false, 'DENY'] },
    { name: 'on a Sunday', action: 'orders.list', at: '2026-11-29T10:30:00Z', expected: ['deny', 'time-window', false, 'DENY'] },
    { name: 'from another network', action: 'orders.list', ip: '198.51.100.7', expected: ['deny', 'ip-range', false, 'DENY'] },
    { name: 'another dataset', action: 'orders.list', dataset: 'hr', expected: ['deny', 'datasets', false, 'DENY'] },
    { name: 'an allowed dataset', action: 'orders.list', dataset: 'ops', expected: ['allow', 'permit:{id}#orders.list', true, 'ALLOW'] },
    { name: 'too sensitive', action: 'orders.list', sensitivity: 'confidential', expected: ['deny', 'sensitivity', false, 'DENY'] },
  ];
  for (const c of cases) {
    const at = c.at ?? tuesday;
    const ip = c.ip ?? '203.0.113.10';
    const simulated = await request.post(`/api/account/agents/${person.agentId}/policy/check`, {
      headers: sameOrigin(baseURL),
      data: {
        document,
        simulate: { action: c.action, resource: orders.identifier, at, ip, dataset: c.dataset, sensitivity: c.sensitivity, amount: c.amount, currency: c.currency },
      },
    });
    expect(simulated.status(), c.name).toBe(200);
    const simulator = (await simulated.json()).decision;

    const requestId = crypto.randomUUID();
    const context = {
      time: at,
      ip,
      ...(c.dataset ? { dataset: c.dataset } : {}),
      ...(c.sensitivity ? { sensitivity: c.sensitivity } : {}),
      ...(c.amount ? { amount: c.amount } : {}),
      ...(c.currency ? { currency: c.currency } : {}),
    };
    const response = await ask(
      request,
      'evaluation',
      { subject: { type: 'token', id: person.token }, action: { name: c.action }, resource: { type: 'order', id: 'o-1' }, context },
      asPep(orders, requestId),
    );
    expect(response.status(), c.name).toBe(200);
    const pdp = await response.json();

    const [outcome, rule, decision, audited] = c.expected;
    expect(simulator, c.name).toEqual({ outcome, rule: rule.replace('{id}', orders.identifier), reason: simulator.reason });
    expect({ outcome: pdp.context.outcome, rule: pdp.context.rule, reason: pdp.context.reason }, c.name).toEqual(simulator);
    expect(pdp.decision, c.name).toBe(decision);
    const rows = await rowsOf(requestId);
    expect(rows, c.name).toHaveLength(1);
    expect(rows[0], c.name).toMatchObject({
      decision: audited,
      reason: `policy v1 ${simulator.rule}: ${simulator.reason}`,
      user_id: person.userId,
      agent_id: person.agentId,
      details: { resource_server: orders.identifier, action: c.action, resource_type: 'order', resource_id: 'o-1', outcome, policy_rule: simulator.rule },
    });
    expect(rows[0].token_id, c.name).not.toBeNull();
  }
});

test('a step-up answer says what to come back with; the given-ids subject decides like the token', async ({ request, baseURL }) => {
  const person = await delegation(request, baseURL!);
  await setPolicy(person, { resourceActions: { [orders.identifier]: { 'orders.list': 'step_up' } } });
  for (const subject of [{ type: 'token', id: person.token }, { type: 'agent', id: person.clientId, properties: { user: person.userId } }, userSubject(person)]) {
    const answer = await (await ask(request, 'evaluation', { subject, action: { name: 'orders.list' }, resource: { type: 'order', id: '1' } })).json();
    expect(answer, subject.type).toMatchObject({
      decision: false,
      context: { outcome: 'step_up', rule: `permit:${orders.identifier}#orders.list`, acr_values: 'urn:leash:acr:mfa', policy_version: 1 },
    });
  }
});

test.describe('who may ask, and about what', () => {
  const body = (token: string, action = 'orders.list') => ({ subject: { type: 'token', id: token }, action: { name: action }, resource: { type: 'order', id: '1' } });

  test('no credentials, a wrong secret, or an agent’s credentials: 401 with WWW-Authenticate, nothing recorded', async ({ request, baseURL }) => {
    const person = await delegation(request, baseURL!);
    const agent = await registerMachineClient(request);
    const issuer = await issuerOf(request);
    for (const [name, authorization] of [
      ['none', undefined],
      ['wrong secret', basic(orders.clientId, 'lsh_cs_not-the-secret')],
      ['an agent', basic(agent.client_id, agent.client_secret!)],
    ] as const) {
      const requestId = crypto.randomUUID();
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Request-ID': requestId, ...(authorization ? { Authorization: authorization } : {}) };
      for (const path of ['evaluation', 'evaluations'] as const) {
        const response = await ask(request, path, body(person.token), headers);
        expect(response.status(), name).toBe(401);
        expect(response.headers()['www-authenticate'], name).toBe(`Basic realm="${issuer}", charset="UTF-8"`);
        expect(response.headers()['x-request-id'], name).toBe(requestId);
        expect((await response.text()).length, name).toBeGreaterThan(0);
      }
      expect(await rowsOf(requestId), name).toEqual([]);
    }
  });

  test('another resource’s action is refused: 403 alone, a closed decision in a batch, each recorded', async ({ request, baseURL }) => {
    const person = await delegation(request, baseURL!);
    const theirs = `${other.scopes[0]!.split(':')[0]}.list`;
    const requestId = crypto.randomUUID();
    const alone = await ask(request, 'evaluation', body(person.token, theirs), asPep(orders, requestId));
    expect(alone.status()).toBe(403);
    expect(alone.headers()['content-type']).toContain('text/plain');
    expect(await alone.text()).toBe(`${orders.identifier} declares no action "${theirs}".`);
    expect(await rowsOf(requestId)).toMatchObject([{ decision: 'DENY', reason: `refused: ${orders.identifier} declares no action "${theirs}".`, details: { error: 403 } }]);

    const batchId = crypto.randomUUID();
    const batch = await ask(
      request,
      'evaluations',
      {
        subject: { type: 'token', id: person.token },
        resource: { type: 'order', id: '1' },
        evaluations: [{ action: { name: 'orders.list' } }, { action: { name: theirs } }, { action: { name: 'datasets.list' } }],
      },
      asPep(orders, batchId),
    );
    expect(batch.status()).toBe(200);
    expect((await batch.json()).evaluations).toEqual([
      expect.objectContaining({ decision: true }),
      { decision: false, context: { error: { status: 403, message: `${orders.identifier} declares no action "${theirs}".` } } },
      // Leash's own actions are not the orders API's either.
      { decision: false, context: { error: { status: 403, message: `${orders.identifier} declares no action "datasets.list".` } } },
    ]);
    expect((await rowsOf(batchId)).map((r) => r.decision)).toEqual(['ALLOW', 'DENY', 'DENY']);
  });

  test('a token for another audience, for Leash’s own API, revoked, or unknown: closed like an unknown one', async ({ request, baseURL }) => {
    const forOther = await delegation(request, baseURL!, other);
    const forLeash = await delegatedToken(request, baseURL!, 'datasets:read');
    const revoked = await delegation(request, baseURL!);
    const revoke = await request.post('/oauth/revoke', { form: { token: revoked.token, client_id: revoked.clientId } });
    expect(revoke.status()).toBe(200);
    for (const [name, token] of [
      ['another API', forOther.token],
      ['Leash', forLeash.token],
      ['revoked', revoked.token],
      ['unknown', 'lsh_at_nothing'],
    ] as const) {
      const requestId = crypto.randomUUID();
      const response = await ask(request, 'evaluation', body(token), asPep(orders, requestId));
      expect(response.status(), name).toBe(200);
      expect(await response.json(), name).toEqual({ decision: false, context: { error: { status: 401, message: 'The access token is not active for this resource.' } } });
      expect(await rowsOf(requestId), name).toMatchObject([{ decision: 'DENY', user_id: null, agent_id: null, details: { error: 401 } }]);
    }
    // The other API asks about its own token: decided.
    const theirs = `${other.scopes[0]!.split(':')[0]}.list`;
    const own = await ask(request, 'evaluation', body(forOther.token, theirs), asPep(other));
    expect(await own.json()).toMatchObject({ decision: true, context: { outcome: 'allow' } });
  });

  test('a person who gave the agent nothing for this API: closed', async ({ request, baseURL }) => {
    const forOther = await delegation(request, baseURL!, other);
    const response = await ask(request, 'evaluation', {
      subject: { type: 'agent', id: forOther.clientId, properties: { user: forOther.userId } },
      action: { name: 'orders.list' },
      resource: { type: 'order', id: '1' },
    });
    expect(await response.json()).toEqual({ decision: false, context: { error: { status: 403, message: 'This agent holds no active grant from this user for this resource.' } } });
  });

  test('a token without the action’s scope is denied before the policy', async ({ request, baseURL }) => {
    const reader = await delegatedToken(request, baseURL!, `${area}:read`, { resource: orders.identifier });
    const response = await ask(request, 'evaluation', body(reader.token, 'orders.refund'));
    expect(await response.json()).toEqual({ decision: false, context: { outcome: 'deny', reason: `missing scope (needs ${area}:write)`, required_scope: `${area}:write` } });
  });
});

test('malformed requests: 400 with the reason, and nothing evaluated or written', async ({ request, baseURL }) => {
  const person = await delegation(request, baseURL!);
  const valid = { subject: { type: 'token', id: person.token }, action: { name: 'orders.list' }, resource: { type: 'order', id: '1' } };
  const cases: [string, 'evaluation' | 'evaluations', unknown, string, Record<string, string>?][] = [
    ['not JSON', 'evaluation', '{"subject":', 'The request body is not JSON.'],
    ['not an object', 'evaluation', [valid], 'The request body must be a JSON object.'],
    ['no subject', 'evaluation', { action: valid.action, resource: valid.resource }, 'Invalid request: subject: '],
    ['no action name', 'evaluation', { ...valid, action: {} }, 'Invalid request: action.name: '],
    ['a bad time', 'evaluation', { ...valid, context: { time: 'tomorrow' } }, 'Invalid request: context.time: '],
    ['a missing default', 'evaluations', { subject: valid.subject, evaluations: [{ resource: valid.resource }] }, 'Invalid request: evaluations.0.action: required'],
    ['an unknown semantic', 'evaluations', { ...valid, options: { evaluations_semantic: 'some' }, evaluations: [{}] }, 'Invalid request: options.evaluations_semantic: '],
    ['the wrong content type', 'evaluation', JSON.stringify(valid), 'The request must have Content-Type: application/json.', { 'Content-Type': 'text/plain' }],
  ];
  for (const [name, path, data, message, headers] of cases) {
    const requestId = crypto.randomUUID();
    const response = await ask(request, path, data, { ...asPep(orders, requestId), ...headers });
    expect(response.status(), name).toBe(400);
    expect(response.headers()['x-request-id'], name).toBe(requestId);
    expect(await response.text(), name).toContain(message);
    expect(await rowsOf(requestId), name).toEqual([]);
  }
});
