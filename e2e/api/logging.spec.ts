// Logs an operator can use (issue 19 §1): a server of its own, its output read as a log shipper
// would. Every line is one JSON object with a level, a time and a message; every request has an
// id, returned as `X-Request-Id`, on its log lines and on the audit rows it wrote (whether the fast
// path or Next answered it); a client cannot choose that id; and no credential that crossed the
// wire (client secret, access token, Authorization header, code in a query string) is in the logs.
import { expect, request as playwrightRequest, test } from '@playwright/test';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { basic, registerMachineClient } from '../support/oauth';
import { delegatedToken } from '../support/delegation';
import { testDb } from '../support/db';

let server: SpawnedServer;
test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await spawnServer({ LEASH_LOG_LEVEL: 'info' }, { captureStdout: true });
});
test.afterAll(async () => server?.stop());

type Line = Record<string, unknown> & { level: string; time: string; msg: string };
const lines = (): Line[] => {
  const { stdout, stderr } = server.output();
  return (stdout + stderr)
    .split('\n')
    .filter(Boolean)
    .map((text) => {
      try {
        return JSON.parse(text) as Line;
      } catch {
        throw new Error(`not a JSON log line: ${text}`);
      }
    });
};

async function auditRequestIds(where: string, params: unknown[]): Promise<string[]> {
  const { rows } = await testDb().query(`SELECT request_id FROM audit_events WHERE ${where}`, params);
  return rows.map((row) => row.request_id);
}

test('every line is JSON with level, time and message; each request has its id in the answer, the access log and its audit rows', async () => {
  const http = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const machine = await registerMachineClient(http);
  // Answered by the fast path: the token endpoint. A request id sent by the client is not taken.
  const issued = await fetch(`${server.baseURL}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: basic(machine.client_id, machine.client_secret!), 'Content-Type': 'application/x-www-form-urlencoded', 'X-Request-Id': 'chosen-by-client' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'datasets:read' }),
  });
  expect(issued.status).toBe(200);
  const tokenRequestId = issued.headers.get('x-request-id')!;
  expect(tokenRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const { access_token: token } = await issued.json();
  expect(await auditRequestIds(`action = 'token.issue' AND agent_id = (SELECT id FROM agents WHERE client_id = $1)`, [machine.client_id])).toEqual([tokenRequestId]);

  // The agent API, also on the fast path: the audit row of the call carries the answer's id.
  const read = await fetch(`${server.baseURL}/api/v1/datasets`, { headers: { Authorization: `Bearer ${token}` } });
  expect(read.status).toBe(200);
  const readRequestId = read.headers.get('x-request-id')!;
  expect(await auditRequestIds('request_id = $1', [readRequestId])).toHaveLength(1);

  // Answered by Next (registration is not on the fast path): the same.
  const registered = await fetch(`${server.baseURL}/oauth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'Logged agent', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' }),
  });
  expect(registered.status).toBe(201);
  const registerRequestId = registered.headers.get('x-request-id')!;
  const { client_id: registeredId } = await registered.json();
  expect(await auditRequestIds(`action = 'client.register' AND details->>'client_id' = $1`, [registeredId])).toEqual([registerRequestId]);

  await expect.poll(() => lines().filter((line) => line.component === 'http' && [tokenRequestId, readRequestId, registerRequestId].includes(line.request_id as string)).length).toBe(3);
  const access = lines().find((line) => line.request_id === readRequestId && line.component === 'http')!;
  expect(access).toMatchObject({ level: 'info', msg: 'request', method: 'GET', path: '/api/v1/datasets', status: 200 });
  expect(typeof access.duration_ms).toBe('number');
  for (const line of lines()) {
    expect(typeof line.level).toBe('string');
    expect(Date.parse(line.time)).not.toBeNaN();
    expect(typeof line.msg).toBe('string');
  }
  expect(lines().some((line) => line.request_id === 'chosen-by-client')).toBe(false);
  await http.dispose();
});

test('credentials sent to the server never reach its logs, even in a query string or a failing request', async () => {
  const http = await playwrightRequest.newContext({ baseURL: server.baseURL });
  const agent = await delegatedToken(http, server.baseURL, 'datasets:read');
  const machine = await registerMachineClient(http);
  // A token in a query string (RFC 6750 §2.3, which Leash does not accept), a wrong secret, a
  // malformed assertion, an unknown token: each answered, each logged without its credential.
  await fetch(`${server.baseURL}/api/v1/datasets?access_token=${agent.token}`);
  await fetch(`${server.baseURL}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: basic(machine.client_id, `${machine.client_secret}-wrong`), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  await fetch(`${server.baseURL}/oauth/introspect`, {
    method: 'POST',
    headers: { Authorization: basic(machine.client_id, machine.client_secret!), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: agent.token }),
  });
  await fetch(`${server.baseURL}/api/v1/datasets`, { headers: { Authorization: `Bearer ${agent.token}x` } });
  await fetch(`${server.baseURL}/api/v1/datasets`, { headers: agent.auth });
  await expect.poll(() => lines().filter((line) => line.component === 'http').length).toBeGreaterThanOrEqual(5);
  const { stdout, stderr } = server.output();
  for (const secret of [agent.token, agent.token.slice(7), machine.client_secret!, basic(machine.client_id, machine.client_secret!).slice(6)]) {
    expect(stdout).not.toContain(secret);
    expect(stderr).not.toContain(secret);
  }
  await http.dispose();
});
