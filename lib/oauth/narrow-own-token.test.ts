// Narrowed tokens and revocation on the real database: whatever revokes a parent (here a bare
// UPDATE, as any revoking path would write it) revokes its children and grandchildren in the same
// transaction, and a narrowing that races with the parent's revocation never leaves a live child.
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { OAuthParams } from '@/lib/oauth/read-form';
import { createAccessToken } from '@/lib/tokens/issue-access-token';
import { narrowOwnToken } from './narrow-own-token';
import type { AuthenticatedClient } from '@/lib/oauth/clients/authenticate-client';

let other: pg.Client;
let client: AuthenticatedClient;

beforeAll(async () => {
  other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
  const clientId = `narrowing-${crypto.randomUUID()}`;
  const agent = await db().agent.create({ data: { clientId, name: 'Narrowing test agent', registration: 'DCR' }, select: { id: true } });
  client = { id: agent.id, clientId, name: 'Narrowing test agent', grantTypes: [], scopes: ['datasets:read', 'reports:read'], method: 'client_secret_basic', confidential: true };
});
afterAll(async () => {
  await other.end();
  await closeDb();
});

/** A fresh access token of the test agent (as client_credentials issues it: no user). */
async function ownToken() {
  return db().$transaction((tx) =>
    createAccessToken(tx, { agentId: client.id, scopes: ['datasets:read', 'reports:read'], audience: ['http://localhost:3000/api'] }, { grantType: 'test', ip: '127.0.0.1' }),
  );
}

function narrowing(subject: string, scope = 'datasets:read') {
  const params = new OAuthParams(new Map([['scope', scope]]), []);
  return narrowOwnToken({ client, params, ip: '127.0.0.1', dpop: null }, subject);
}

const row = async (token: string) => (await other.query("SELECT id, parent_token_id, revoked_at, revoked_reason FROM tokens WHERE token_hash = encode(sha256($1::bytea), 'hex')", [token])).rows[0];

describe('narrowed tokens', () => {
  it('die with their parent in the same transaction, transitively, whatever revoked it', async () => {
    const parent = await ownToken();
    const child = (await narrowing(parent.token)).access_token;
    const grandchild = (await narrowing(child)).access_token;
    expect((await row(grandchild)).parent_token_id).toBe((await row(child)).id);

    await other.query('BEGIN');
    await other.query("UPDATE tokens SET revoked_at = now(), revoked_reason = 'some revoking path' WHERE id = $1", [parent.id]);
    const inside = await other.query('SELECT revoked_reason FROM tokens WHERE parent_token_id IS NOT NULL AND id IN ($1, $2) ORDER BY created_at', [(await row(child)).id, (await row(grandchild)).id]);
    expect(inside.rows).toEqual([{ revoked_reason: 'parent token revoked: some revoking path' }, { revoked_reason: 'parent token revoked: some revoking path' }]);
    await other.query('ROLLBACK');
    // Rolled back with the parent's revocation: the same transaction.
    expect((await row(child)).revoked_at).toBeNull();
    expect((await row(grandchild)).revoked_at).toBeNull();

    await other.query("UPDATE tokens SET revoked_at = now(), revoked_reason = 'some revoking path' WHERE id = $1", [parent.id]);
    const parentRow = await row(parent.token);
    for (const token of [child, grandchild]) expect((await row(token)).revoked_at).toEqual(parentRow.revoked_at);
  });

  it('a narrowing racing with the parent’s revocation waits for it and issues nothing', async () => {
    const parent = await ownToken();
    // The revocation holds the parent's row, uncommitted, while the narrowing runs.
    await other.query('BEGIN');
    await other.query("UPDATE tokens SET revoked_at = now(), revoked_reason = 'revoked meanwhile' WHERE id = $1", [parent.id]);
    const outcome = narrowing(parent.token).then(
      () => 'issued',
      (error: { code?: string }) => error.code,
    );
    const early = await Promise.race([outcome, new Promise((resolve) => setTimeout(() => resolve('waiting'), 500))]);
    await other.query('COMMIT');
    expect(early).toBe('waiting');
    expect(await outcome).toBe('invalid_grant');
    expect((await other.query('SELECT count(*)::int AS n FROM tokens WHERE parent_token_id = $1', [parent.id])).rows[0].n).toBe(0);
  });
});
