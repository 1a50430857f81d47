// The MCP TypeScript SDK (v1) with a Client ID Metadata Document, as shipped: the app's provider
// sets `clientMetadataUrl` to an https URL it publishes, and the SDK, seeing
// `client_id_metadata_document_supported` in Leash's metadata, uses that URL as its client_id
// without any registration call (MCP authorization, Client ID Metadata Documents). The document is
// shaped like the ones desktop hosts publish: loopback redirect URIs, no application_type.
//
// The SDK accepts only an https client id, so the document is served over TLS on loopback with a
// certificate made for this test, and a second Leash (same database and secrets) is started that
// trusts it (NODE_EXTRA_CA_CERTS) and allows that origin (LEASH_CIMD_ALLOWLIST); the SSRF guard
// otherwise refuses loopback addresses, which e2e/api/oauth-cimd.spec.ts tests.
// @see 7e04dd4 (Interop matrix complete): the commit whose behaviour these tests guard.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { spawnServer } from '../support/spawn-server';
import { findFreePort } from '../../scripts/lib/embedded-pg';
import { LoopbackApp } from './support/loopback-app';
import { allowInBrowser, newPerson } from './support/person';

test.describe.configure({ timeout: 90_000 });

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

/** A self-signed certificate for 127.0.0.1 (P-256), written to the test's output folder. */
function loopbackCertificate(): { key: string; cert: string; certPath: string } {
  const keyPath = test.info().outputPath('cimd-key.pem');
  const certPath = test.info().outputPath('cimd-cert.pem');
  fs.mkdirSync(test.info().outputDir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { key: fs.readFileSync(keyPath, 'utf8'), cert: fs.readFileSync(certPath, 'utf8'), certPath };
}

test('MCP SDK v1 with clientMetadataUrl: no registration call, consent names the document’s client, tools', async ({ page, request, baseURL }) => {
  test
    .info()
    .annotations.push(
      { type: 'client', description: '@modelcontextprotocol/sdk' },
      { type: 'flow', description: 'Client ID Metadata Document (https client id on loopback TLS, loopback redirect, no application_type) → PKCE consent → tools/call, no DCR' },
    );
  const { key, cert, certPath } = loopbackCertificate();
  const app = await LoopbackApp.start('MCP SDK CIMD agent');
  let document: object = {};
  const served: string[] = [];
  const documents = https.createServer({ key, cert }, (req, res) => {
    served.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=60' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  const origin = `127.0.0.1:${(documents.address() as AddressInfo).port}`;
  const clientId = `https://${origin}/oauth/client.json`;
  document = { ...app.clientMetadata, client_id: clientId, client_uri: `https://${origin}/` };
  app.clientMetadataUrl = clientId;

  const port = await findFreePort();
  const issuer = `http://localhost:${port}`;
  const leash = await spawnServer(
    {
      LEASH_ISSUER: issuer,
      DATABASE_URL: process.env.DATABASE_URL!,
      LEASH_DATA_DIR: process.env.LEASH_DATA_DIR!,
      LEASH_TRUSTED_PROXIES: '1',
      LEASH_CHECK_RESPONSES: '1',
      LEASH_CIMD_ALLOWLIST: origin,
      NODE_EXTRA_CA_CERTS: certPath,
    },
    { port },
  );
  try {
    const person = await newPerson(request, baseURL!, 'mcp-cimd');
    const mcpUrl = new URL('/mcp', issuer);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: app });
    await expect(new Client({ name: 'leash-interop', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    // No registration: the client id is the document's URL.
    expect(app.registered).toEqual({ client_id: clientId, issuer: expect.any(String) });
    const authorization = app.authorizationUrls[0]!;
    expect(authorization.searchParams.get('client_id')).toBe(clientId);

    await allowInBrowser(page, authorization.toString(), person, { agentName: app.clientName, callback: /^http:\/\/localhost:\d+\/callback\?/ });
    await first.finishAuth((await app.nextCallback()).code);
    expect(served).toContain('/oauth/client.json');

    const client = new Client({ name: 'leash-interop', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: app }));
    const listed = (await client.callTool({ name: 'list_datasets', arguments: {} })) as { content: { text: string }[] };
    expect(JSON.parse(listed.content[0]!.text).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');
    await client.close();

    // Read as native (only loopback redirect URIs, no type: RFC 8252 §7.3), and known by its URL.
    const { rows } = await testDb().query("SELECT metadata->>'application_type' AS type, name FROM agents WHERE client_id = $1", [clientId]);
    expect(rows).toEqual([{ type: 'native', name: app.clientName }]);
  } finally {
    await leash.stop();
    await app.close();
    documents.closeAllConnections();
    await new Promise((resolve) => documents.close(resolve));
  }
});
