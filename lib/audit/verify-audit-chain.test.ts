// The audit log on the real database: append-only at the database level, and any change made
// behind the trigger's back is found by the verifier.
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, db, dbPool } from '@/lib/db/client';
import { appendAuditEvent } from './append-audit-event';
import { verifyAuditChain } from './verify-audit-chain';
import { sealAuditChain } from './seal-audit-chain';

/** Seals until `id` has its place (another test file's sealer may hold the turn for a moment). */
async function sealed(id: bigint) {
  for (let i = 0; i < 100; i++) {
    await sealAuditChain();
    if ((await db().auditEvent.findUniqueOrThrow({ where: { id }, select: { chainSeq: true } })).chainSeq !== null) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('not sealed');
}

afterAll(closeDb);

// The marker goes in request_id: actions come from the catalog (lib/audit/events.ts).
const append = (marker: string) => db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', requestId: marker }));

describe('the audit log', () => {
  it('refuses UPDATE (except the one seal), DELETE and TRUNCATE', async () => {
    const { id } = await append('test.immutable');
    // Unsealed: still no changing its content, nor sealing it with other content.
    await expect(dbPool().query("UPDATE audit_events SET reason = 'x' WHERE id = $1", [id])).rejects.toThrow(/append-only: UPDATE/);
    await expect(dbPool().query("UPDATE audit_events SET chain_seq = -1, hash = repeat('0', 64), reason = 'x' WHERE id = $1", [id])).rejects.toThrow(/append-only: UPDATE/);
    await sealed(id);
    await expect(dbPool().query("UPDATE audit_events SET hash = repeat('0', 64) WHERE id = $1", [id])).rejects.toThrow(/append-only: UPDATE/);
    await expect(dbPool().query("UPDATE audit_events SET reason = 'x' WHERE id = $1", [id])).rejects.toThrow(/append-only: UPDATE/);
    await expect(dbPool().query('DELETE FROM audit_events WHERE id = $1', [id])).rejects.toThrow(/append-only: DELETE/);
    await expect(dbPool().query('TRUNCATE audit_events CASCADE')).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(dbPool().query('TRUNCATE audit_events')).rejects.toThrow();
  });

  it('verifies an intact chain', async () => {
    await append('test.chain.a');
    await append('test.chain.b');
    const verdict = await verifyAuditChain();
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBeGreaterThanOrEqual(2);
  });

  it('finds a record changed behind the trigger, and a removed link', async () => {
    const { id } = await append('test.tamper.target');
    const after = await append('test.tamper.after');
    await sealed(after.id); // tampering is found in what is sealed
    const client = await dbPool().connect();
    try {
      // A superuser can switch the trigger off; the chain still tells.
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
      await client.query("UPDATE audit_events SET decision = 'DENY' WHERE id = $1", [id]);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAt: id, reason: 'content changed' });
      await client.query("UPDATE audit_events SET decision = 'ALLOW' WHERE id = $1", [id]);
      expect((await verifyAuditChain()).ok).toBe(true);

      const original = await client.query('SELECT prev_hash FROM audit_events WHERE id = $1', [id]);
      await client.query("UPDATE audit_events SET prev_hash = repeat('0', 64) WHERE id = $1", [id]);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAt: id, reason: 'link broken' });
      await client.query('UPDATE audit_events SET prev_hash = $2 WHERE id = $1', [id, original.rows[0].prev_hash]);
    } finally {
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
      client.release();
    }
    expect((await verifyAuditChain()).ok).toBe(true);
  });
});
