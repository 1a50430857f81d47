// The audit log on the real database: any change made behind the trigger's back is found by the
// verifier, in a chain (a record changed, unlinked, or cut off the end) or in the signed
// checkpoints that bind the chains; records a previous version left unsealed are sealed and verify.
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, db, dbPool } from '@/lib/db/client';
import { appendAuditEvent } from './append-audit-event';
import { verifyAuditChain } from './verify-audit-chain';
import { chainHeads, writeCheckpoint } from './audit-checkpoint';
import { canonicalJson } from './chain-hash';
import { sealLegacyChain } from './seal-legacy-chain';

afterAll(closeDb);

// The marker goes in request_id: actions come from the catalog (lib/audit/events.ts).
const append = (marker: string) => db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', requestId: marker }));

/** Runs `change` with the log's triggers off (as a superuser could), and puts them back. */
async function behindTheTrigger(change: (query: (sql: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>) => Promise<void>) {
  const client = await dbPool().connect();
  try {
    await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
    await client.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update_delete');
    await change((sql, values) => client.query(sql, values));
  } finally {
    await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
    await client.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update_delete');
    client.release();
  }
}

describe('the audit log', () => {
  it('verifies intact chains and their checkpoints', async () => {
    await append('test.chain.a');
    await append('test.chain.b');
    expect(await writeCheckpoint()).not.toBeNull();
    const verdict = await verifyAuditChain();
    expect(verdict).toMatchObject({ ok: true });
    if (!verdict.ok) return;
    expect(verdict.checked).toBeGreaterThanOrEqual(2);
    expect(verdict.chains).toBeGreaterThanOrEqual(1);
    expect(verdict.checkpoints).toBeGreaterThanOrEqual(1);
  });

  it('writes no checkpoint when no chain moved', async () => {
    // Other test files append meanwhile: try until two checkpoints in a row saw the same heads.
    let quiet = false;
    for (let i = 0; i < 50 && !quiet; i++) {
      await writeCheckpoint();
      const heads = await chainHeads();
      const again = await writeCheckpoint();
      if (canonicalJson(await chainHeads()) === canonicalJson(heads)) {
        expect(again).toBeNull();
        quiet = true;
      }
    }
    expect(quiet).toBe(true);
  });

  it('finds a record changed behind the trigger, and a removed link', async () => {
    const { id } = await append('test.tamper.target');
    await append('test.tamper.after');
    await behindTheTrigger(async (query) => {
      await query("UPDATE audit_events SET decision = 'DENY' WHERE id = $1", [id]);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAt: id, reason: 'content changed' });
      await query("UPDATE audit_events SET decision = 'ALLOW' WHERE id = $1", [id]);
      expect((await verifyAuditChain()).ok).toBe(true);

      const original = await query('SELECT prev_hash FROM audit_events WHERE id = $1', [id]);
      await query("UPDATE audit_events SET prev_hash = repeat('0', 64) WHERE id = $1", [id]);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAt: id, reason: 'link broken' });
      await query('UPDATE audit_events SET prev_hash = $2 WHERE id = $1', [id, original.rows[0]!.prev_hash]);
    });
    expect((await verifyAuditChain()).ok).toBe(true);
  });

  it('finds the last records of a chain removed, even with its head moved back, through the signed checkpoint', async () => {
    const { id } = await append('test.truncate');
    const row = await db().auditEvent.findUniqueOrThrow({ where: { id } });
    await writeCheckpoint();
    await behindTheTrigger(async (query) => {
      const saved = (await query('SELECT * FROM audit_events WHERE id = $1', [id])).rows[0]!;
      const head = (await query('SELECT seq, hash FROM audit_chains WHERE id = $1', [row.chainId])).rows[0]!;
      await query('DELETE FROM audit_events WHERE id = $1', [id]);
      // The head still names the removed record.
      expect(await verifyAuditChain()).toMatchObject({ ok: false, reason: 'chain truncated' });
      // An attacker who also moves the head back is caught by the checkpoint that signed it.
      await query('UPDATE audit_chains SET seq = seq - 1, hash = $2 WHERE id = $1', [row.chainId, row.prevHash]);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, reason: 'checkpoint invalid', detail: expect.stringMatching(/is not the one it signed|went back/) });
      // Put everything back as it was.
      await query(
        `INSERT INTO audit_events (id, created_at, user_id, agent_id, actor, action, resource, decision, reason, token_id, scopes, intent, ip, request_id, details, chain_id, chain_seq, prev_hash, hash)
         SELECT id, created_at, user_id, agent_id, actor, action, resource, decision, reason, token_id, scopes, intent, ip, request_id, details, chain_id, chain_seq, prev_hash, hash
           FROM jsonb_populate_record(NULL::audit_events, $1::jsonb)`,
        [JSON.stringify(saved)],
      );
      await query('UPDATE audit_chains SET seq = $2, hash = $3 WHERE id = $1', [row.chainId, head.seq, head.hash]);
    });
    expect((await verifyAuditChain()).ok).toBe(true);
  });

  it('finds a checkpoint rewritten without the key', async () => {
    await append('test.checkpoint');
    const id = (await writeCheckpoint())!;
    const { root } = await db().auditCheckpoint.findUniqueOrThrow({ where: { id } });
    await behindTheTrigger(async (query) => {
      await query("UPDATE audit_checkpoints SET root = repeat('0', 64) WHERE id = $1", [id]);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAt: id, reason: 'checkpoint invalid' });
      await query('UPDATE audit_checkpoints SET root = $2 WHERE id = $1', [id, root]);
    });
    expect((await verifyAuditChain()).ok).toBe(true);
  });

  it('seals and verifies what a previous version inserted unsealed (a rolling upgrade)', async () => {
    const { rows } = await dbPool().query(
      `INSERT INTO audit_events (created_at, action, decision, scopes, request_id) VALUES (now(), 'session.reauthenticate', 'ALLOW', '{}', 'test.legacy') RETURNING id`,
    );
    const id = BigInt(rows[0].id);
    await expect(dbPool().query("UPDATE audit_events SET reason = 'x' WHERE id = $1", [id])).rejects.toThrow(/append-only: UPDATE/);
    for (let i = 0; i < 100 && (await db().auditEvent.findUniqueOrThrow({ where: { id } })).hash === null; i++) await sealLegacyChain();
    const sealed = await db().auditEvent.findUniqueOrThrow({ where: { id } });
    expect(sealed).toMatchObject({ chainId: null, hash: expect.stringMatching(/^v2:/) });
    await writeCheckpoint();
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
