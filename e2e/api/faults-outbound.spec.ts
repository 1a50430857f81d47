// Outbound calls that never finish (issue 19 §4): a Client ID Metadata Document URL or an alert
// webhook whose host accepts the connection and then never answers (a black hole), or answers a
// header line now and then forever (a trickle, which a socket idle timeout alone never ends). Leash
// aborts each within its limit (5 s, lib/http/safe-fetch.ts), the route that asked answers with a
// clear error, and the rest of the server is unaffected meanwhile. The black hole and the trickle
// run here on loopback; a server of this file's own allowlists their ports (as the suite's server
// allowlists the ports of oauth-cimd.spec.ts and alerts.spec.ts).
import net from 'node:net';
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { findFreePort } from '../../scripts/lib/embedded-pg';
import { sameOrigin } from '../support/accounts';
import { testDb } from '../support/db';
import { delegatedToken, setPolicy } from '../support/delegation';
import { AGENT_CALLBACK, authorizeUrl, basic, pkce, registerMachineClient } from '../support/oauth';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

test.describe.configure({ mode: 'serial' });

type Connection = { openedAt: number; closedAt?: number };
type Sink = { port: number; connections: Connection[]; close: () => Promise<void> };

/** A TCP server that accepts connections and then either says nothing or trickles header lines forever. */
async function sink(kind: 'black hole' | 'trickle'): Promise<Sink> {
  const connections: Connection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const connection: Connection = { openedAt: Date.now() };
    connections.push(connection);
    sockets.add(socket);
    socket.on('error', () => {});
    socket.resume(); // read (and drop) the request, so that the peer's close is seen
    let timer: NodeJS.Timeout | undefined;
    if (kind === 'trickle') {
      socket.write('HTTP/1.1 200 OK\r\n');
      let n = 0;
      timer = setInterval(() => socket.write(`X-Still-Coming-${n++}: yes\r\n`), 500);
    }
    socket.on('close', () => {
      clearInterval(timer);
      connection.closedAt = Date.now();
      sockets.delete(socket);
    });
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let blackHole: Sink;
let trickle: Sink;
let server: SpawnedServer;
let http: APIRequestContext;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  blackHole = await sink('black hole');
  trickle = await sink('trickle');
  const allow = `127.0.0.1:${blackHole.port},127.0.0.1:${trickle.port}`;
  const port = await findFreePort();
  server = await spawnServer({ LEASH_CIMD_ALLOWLIST: allow, LEASH_WEBHOOK_ALLOWLIST: allow, LEASH_TRUSTED_PROXIES: '1', LEASH_ISSUER: `http://127.0.0.1:${port}` }, { port });
  http = await playwrightRequest.newContext({ baseURL: server.baseURL });
});
test.afterAll(async () => {
  await http?.dispose();
  await server?.stop();
  await blackHole?.close();
  await trickle?.close();
});

for (const kind of ['black hole', 'trickle'] as const) {
  test(`a client metadata document behind a ${kind}: the authorization request ends within 5 s with a clear error page; tokens and API calls are served meanwhile`, async () => {
    test.setTimeout(60_000);
    const target = kind === 'black hole' ? blackHole : trickle;
    const machine = await registerMachineClient(http);
    const auth = { Authorization: basic(machine.client_id, machine.client_secret!) };
    const token = (await (await http.post('/oauth/token', { headers: auth, form: { grant_type: 'client_credentials', scope: 'datasets:read' } })).json()).access_token;

    const clientId = `http://127.0.0.1:${target.port}/agents/${kind.replace(' ', '-')}.json`;
    const before = target.connections.length;
    const startedAt = Date.now();
    const hung = http
      .get(
        authorizeUrl(server.baseURL, {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: AGENT_CALLBACK,
          scope: 'datasets:read',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
        {
          maxRedirects: 0,
          timeout: 30_000,
        },
      )
      .then(async (response) => ({ status: response.status(), text: await response.text(), answeredAt: Date.now() }));
    await expect.poll(() => target.connections.length).toBeGreaterThan(before);

    // While Leash waits on the document, the rest of the server answers.
    const meanwhile: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await http.post('/oauth/token', { headers: auth, form: { grant_type: 'client_credentials', scope: 'datasets:read' } })).status()).toBe(200);
      expect((await http.get('/api/v1/datasets', { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(200);
      meanwhile.push(Date.now());
    }
    const answer = await hung;
    expect(Math.max(...meanwhile)).toBeLessThan(answer.answeredAt);

    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Unverifiable application');
    expect(answer.text).toContain('no complete answer within 5000 ms');
    // Leash gave up on its own (it closed the connection), at its limit and not at the test's timeout.
    const connection = target.connections[before]!;
    await expect.poll(() => connection.closedAt).toBeDefined();
    expect(connection.closedAt! - connection.openedAt).toBeGreaterThanOrEqual(4500);
    expect(answer.answeredAt - startedAt).toBeLessThan(15_000);
  });
}

test('the token endpoint with a metadata-document client_id behind a black hole: 401 invalid_client naming the reason', async () => {
  test.setTimeout(60_000);
  const clientId = `http://127.0.0.1:${blackHole.port}/agents/token-endpoint.json`;
  const response = await http.post('/oauth/token', {
    form: { grant_type: 'authorization_code', client_id: clientId, code: 'x', code_verifier: 'y'.repeat(43), redirect_uri: AGENT_CALLBACK },
    timeout: 30_000,
  });
  expect(response.status()).toBe(401);
  expect(await response.json()).toEqual({ error: 'invalid_client', error_description: "The application's metadata document was refused: no complete answer within 5000 ms." });
});

for (const kind of ['black hole', 'trickle'] as const) {
  test(`an alert webhook behind a ${kind}: the call that raised the alert is answered at once, the delivery gives up within 5 s and says why`, async () => {
    test.setTimeout(60_000);
    const target = kind === 'black hole' ? blackHole : trickle;
    const user = await playwrightRequest.newContext({ baseURL: server.baseURL });
    try {
      const agent = await delegatedToken(user, server.baseURL, 'datasets:read');
      expect((await user.post('/api/account/alert-settings/webhook-secret', { headers: sameOrigin(server.baseURL) })).status()).toBe(200);
      const saved = await user.put('/api/account/alert-settings', {
        headers: sameOrigin(server.baseURL),
        data: {
          thresholds: { deniedCalls: { count: 10, windowMinutes: 5 }, tokenFlood: { count: 1, windowMinutes: 10 }, stepUpFailures: { count: 3, windowMinutes: 15 } },
          webhookUrl: `http://127.0.0.1:${target.port}/hook`,
          autoSuspend: null,
        },
      });
      expect(saved.status(), await saved.text()).toBe(200);
      // A call outside the allowed hours raises a warning (as in alerts.spec.ts), which is sent to the webhook.
      const hour = (new Date().getUTCHours() + 2) % 24;
      const at = String(hour).padStart(2, '0');
      await setPolicy(agent, { timeWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: `${at}:00`, end: `${at}:30` }] });
      const before = target.connections.length;
      expect((await user.get('/api/v1/datasets', { headers: agent.auth })).status()).toBe(403);
      await expect.poll(() => target.connections.length).toBeGreaterThan(before);
      // The call was answered while the webhook still hung.
      expect(target.connections[before]!.closedAt).toBeUndefined();

      const delivery = async () => (await testDb().query("SELECT delivery FROM alerts WHERE user_id = $1 AND kind = 'outside_time_window'", [agent.userId])).rows[0]?.delivery;
      await expect.poll(delivery, { timeout: 15_000 }).toBe('failed: no complete answer within 5000 ms');
      const connection = target.connections[before]!;
      expect(connection.closedAt).toBeDefined();
      expect(connection.closedAt! - connection.openedAt).toBeGreaterThanOrEqual(4500);
    } finally {
      await user.dispose();
    }
  });
}
