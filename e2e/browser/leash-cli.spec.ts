// The `leash` CLI (issue 15 §2) against the running app: `leash login` runs the device flow (the
// person types the printed code in Chromium), the session is kept in the encrypted store (two
// 0600 files in two directories), `leash token` prints a fresh DPoP-bound token that works with a
// proof and not without, `leash curl` adds the headers, a copied credentials file is useless (it
// cannot be opened without the key file, and even its plaintext refresh token is refused without
// the DPoP key), and `leash logout` revokes: the printed token is dead on the next call.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CredentialStore } from '@leash/agent/credential-store';
import { uniqueIp } from '../support/accounts';
import { testDb } from '../support/db';
import { newKey, proof } from '../support/dpop';
import { runCommand } from '../support/command-lines';
import { enterDeviceCode, newPerson } from '../interop/support/person';

const LEASH = 'packages/agent/bin/leash.mjs';

test.beforeEach(async ({ context }) => {
  await context.setExtraHTTPHeaders({ 'X-Forwarded-For': uniqueIp() });
});

/** A home for the CLI: the credentials and the key in two directories, as the defaults are. */
function cliHome() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-cli-'));
  const env = { LEASH_CONFIG_DIR: path.join(root, 'config'), LEASH_KEY_DIR: path.join(root, 'keys'), LEASH_CREDENTIALS_KEY: '' };
  const store = new CredentialStore({ credentialsFile: path.join(env.LEASH_CONFIG_DIR, 'credentials.enc'), keyFile: path.join(env.LEASH_KEY_DIR, 'credentials.key') }, {});
  return { root, env, store };
}

async function leash(env: Record<string, string>, ...args: string[]) {
  return runCommand([LEASH, ...args], env).done();
}

test('leash login (device flow approved in Chromium) → token → curl → a copied file is useless → logout revokes', async ({ page, request, baseURL }) => {
  const person = await newPerson(request, baseURL!, 'cli');
  const home = cliHome();
  try {
    const login = runCommand([LEASH, 'login', baseURL!, '--scope', 'datasets:read reports:read'], home.env);
    const [, verificationUri, userCode] = await login.line(/^To sign in, open (\S+) and enter the code ([A-Z]{4}-[A-Z]{4})$/);
    expect(verificationUri).toBe(`${baseURL}/device`);
    await enterDeviceCode(page, userCode!, person, { agentName: 'Leash CLI' });
    const signedIn = await login.done();
    expect(signedIn.code, signedIn.stderr).toBe(0);
    const [, clientId] = signedIn.stdout.match(/^Signed in to \S+ as (\S+) \(datasets:read offline_access reports:read\)\.$/m) ?? [];
    expect(clientId).toBeTruthy();

    // Two files, two directories, owner-only; no token in the clear.
    for (const file of [home.store.paths.credentialsFile, home.store.paths.keyFile]) expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(path.dirname(home.store.paths.credentialsFile)).not.toBe(path.dirname(home.store.paths.keyFile));
    expect(fs.readFileSync(home.store.paths.credentialsFile, 'utf8')).not.toContain('lsh_');

    const status = await leash(home.env, 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Signed in to ${baseURL}`);
    expect(status.stdout).toContain(`client id:     ${clientId}`);
    expect(status.stdout).not.toContain('lsh_');

    // A fresh DPoP-bound token, with a proof for one call.
    const datasetsUrl = `${baseURL}/api/v1/datasets`;
    const printed = await leash(home.env, 'token', '--json', '--dpop', 'GET', datasetsUrl);
    expect(printed.code, printed.stderr).toBe(0);
    const token = JSON.parse(printed.stdout) as { access_token: string; token_type: string; expires_in: number; dpop: string };
    expect(token).toMatchObject({ token_type: 'DPoP', access_token: expect.stringMatching(/^lsh_at_/) });
    expect(token.expires_in).toBeGreaterThan(500);
    const call = await request.get(datasetsUrl, { headers: { Authorization: `DPoP ${token.access_token}`, DPoP: token.dpop } });
    expect(call.status(), await call.text()).toBe(200);
    // Without the key's proof the token is worth nothing (RFC 9449 §7.1).
    expect((await request.get(datasetsUrl, { headers: { Authorization: `Bearer ${token.access_token}` } })).status()).toBe(401);

    // leash curl signs the request curl sends.
    const curl = await leash(home.env, 'curl', datasetsUrl, '-sS');
    expect(curl.code, curl.stderr).toBe(0);
    expect(JSON.parse(curl.stdout).datasets.map((d: { id: string }) => d.id)).toContain('ds_sales_2026');

    // A copied credentials file: without its key file it does not open, with another key neither.
    const thief = cliHome();
    fs.mkdirSync(path.dirname(thief.store.paths.credentialsFile), { recursive: true });
    fs.copyFileSync(home.store.paths.credentialsFile, thief.store.paths.credentialsFile);
    const noKey = await leash(thief.env, 'token');
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('is missing: the credentials cannot be opened without it');
    await thief.store.createKey();
    const otherKey = await leash(thief.env, 'token');
    expect(otherKey.code).toBe(1);
    expect(otherKey.stderr).toContain('it was written with another key');
    // Even the plaintext refresh token is refused without the DPoP key it is bound to, with or
    // without a proof of another key, and those attempts do not burn it.
    const { session } = (await home.store.load())!;
    const refreshForm = { grant_type: 'refresh_token', refresh_token: session.refreshToken!, client_id: clientId! };
    const bare = await request.post('/oauth/token', { form: refreshForm });
    expect(bare.status()).toBe(400);
    expect(await bare.json()).toMatchObject({ error: 'invalid_dpop_proof', error_description: 'This refresh token is bound to a DPoP key: send a proof made with that key.' });
    const otherProofKey = await newKey();
    const nonce = (await request.post('/oauth/token', { headers: { DPoP: await proof(otherProofKey, 'POST', `${baseURL}/oauth/token`) }, form: refreshForm })).headers()['dpop-nonce'];
    const withOtherKey = await request.post('/oauth/token', { headers: { DPoP: await proof(otherProofKey, 'POST', `${baseURL}/oauth/token`, { nonce }) }, form: refreshForm });
    expect(withOtherKey.status()).toBe(400);
    expect((await withOtherKey.json()).error).toBe('invalid_dpop_proof');
    fs.rmSync(thief.root, { recursive: true, force: true });

    // The owner's CLI still works, and logout revokes at the server and forgets locally.
    const again = await leash(home.env, 'token');
    expect(again.code, again.stderr).toBe(0);
    const lastToken = again.stdout.trim();
    const logout = await leash(home.env, 'logout');
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain(`Signed out: the tokens are revoked at ${baseURL}.`);
    expect(fs.existsSync(home.store.paths.credentialsFile)).toBe(false);
    expect(fs.existsSync(home.store.paths.keyFile)).toBe(false);
    const revoked = await testDb().query(
      'SELECT kind::text, count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > now())::int AS live FROM tokens WHERE agent_id = (SELECT id FROM agents WHERE client_id = $1) GROUP BY kind ORDER BY kind',
      [clientId],
    );
    expect(revoked.rows).toEqual([
      { kind: 'ACCESS', live: 0 },
      { kind: 'REFRESH', live: 0 },
    ]);
    for (const dead of [token.access_token, lastToken]) {
      const refused = await request.get(datasetsUrl, { headers: { Authorization: `DPoP ${dead}`, DPoP: token.dpop } });
      expect(refused.status()).toBe(401);
      expect(await refused.json()).toMatchObject({ error: 'invalid_token', error_description: 'The access token was revoked.' });
    }
    const after = await leash(home.env, 'status');
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('Not signed in.');
  } finally {
    fs.rmSync(home.root, { recursive: true, force: true });
  }
});
