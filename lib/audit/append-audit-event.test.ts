// The audit chains on the real database: a record is linked by the insert that writes it, into a
// chain no other writer holds at that moment, its hash covering its content and the previous
// record of that chain; concurrent writers never wait for each other and never fork a chain.
import { afterAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append-audit-event';
import { appendAuditEventGrouped } from './audit-group-commit';
import { expectedHash } from './chain-hash';
import { closeDb, db, dbPool } from '@/lib/db/client';

afterAll(closeDb);

/** The records of `id`'s chain from its place on (the chain as written so far). */
async function chainFrom(id: bigint) {
  const row = await db().auditEvent.findUniqueOrThrow({ where: { id } });
  expect(row.chainId).not.toBeNull();
  return db().auditEvent.findMany({ where: { chainId: row.chainId, chainSeq: { gte: row.chainSeq! } }, orderBy: { chainSeq: 'asc' } });
}

/** Every chain a record of `ids` is in is whole: places one after the other, each linked to the one before, each hash right. */
async function expectWholeChains(ids: bigint[]) {
  const chains = new Set((await db().auditEvent.findMany({ where: { id: { in: ids } }, select: { chainId: true } })).map((r) => r.chainId));
  for (const chainId of chains) {
    const rows = await db().auditEvent.findMany({ where: { chainId }, orderBy: { chainSeq: 'asc' } });
    rows.forEach((row, i) => {
      expect(row.chainSeq).toBe(BigInt(i + 1));
      expect(row.prevHash).toBe(i === 0 ? null : rows[i - 1]!.hash);
      expect(expectedHash(row)).toBe(row.hash);
    });
    const head = await db().auditChain.findUniqueOrThrow({ where: { id: chainId! } });
    expect({ seq: head.seq, hash: head.hash }).toEqual({ seq: BigInt(rows.length), hash: rows.at(-1)!.hash });
  }
}

describe('appendAuditEvent', () => {
  it('links the record as it inserts it, and hashes its content', async () => {
    const first = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', scopes: ['a'] }));
    const second = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'policy.update', decision: 'DENY', reason: 'because', details: { version: 2, handWritten: false } }));
    for (const { id } of [first, second]) {
      const [row] = await chainFrom(id);
      expect(row!.hash).toMatch(/^v2:[0-9a-f]{64}$/);
      expect(expectedHash(row!)).toBe(row!.hash);
    }
    await expectWholeChains([first.id, second.id]);
  });

  it('detects a changed record', async () => {
    const { id } = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', details: undefined, userId: null }));
    const [row] = await chainFrom(id);
    expect(expectedHash({ ...row!, decision: 'DENY' })).not.toBe(row!.hash);
    expect(expectedHash(row!)).toBe(row!.hash);
  });

  it('keeps every chain whole under concurrent writers, in transactions and grouped', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', requestId: `test.concurrent.${i}` }))),
    );
    await Promise.all(Array.from({ length: 50 }, (_, i) => appendAuditEventGrouped({ action: 'datasets.list', decision: 'ALLOW', requestId: `test.grouped.${i}` })));
    const grouped = await db().auditEvent.findMany({ where: { requestId: { startsWith: 'test.grouped.' } }, select: { id: true } });
    expect(grouped).toHaveLength(50);
    await expectWholeChains([...ids.map((r) => r.id), ...grouped.map((r) => r.id)]);
  });

  it('never waits for a busy chain: with every head locked, it adds a chain', async () => {
    const holder = await dbPool().connect();
    try {
      await holder.query('BEGIN');
      const { rows } = await holder.query('SELECT id FROM audit_chains FOR UPDATE');
      const { id } = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', requestId: 'test.all-busy' }));
      const row = await db().auditEvent.findUniqueOrThrow({ where: { id } });
      expect(rows.map((r: { id: number }) => r.id)).not.toContain(row.chainId);
      expect(row.chainSeq).toBe(1n);
      expect(row.prevHash).toBeNull();
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });

  it('writes nothing, and moves no head, when the surrounding transaction fails', async () => {
    const marker = `test.rollback.${Date.now()}`;
    const before = await db().auditChain.findMany({ orderBy: { id: 'asc' } });
    let used: number | null = null;
    await expect(
      db().$transaction(async (tx) => {
        const { id } = await appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', requestId: marker });
        used = (await tx.auditEvent.findUniqueOrThrow({ where: { id } })).chainId;
        throw new Error('the decision failed');
      }),
    ).rejects.toThrow('the decision failed');
    expect(await db().auditEvent.count({ where: { requestId: marker } })).toBe(0);
    const after = await db().auditChain.findUniqueOrThrow({ where: { id: used! } });
    const previous = before.find((c) => c.id === used);
    // Its head is where it was, unless another file's writer has appended to it since.
    const rows = await db().auditEvent.findMany({ where: { chainId: used, chainSeq: { gt: previous?.seq ?? 0n } } });
    expect(after.seq).toBe((previous?.seq ?? 0n) + BigInt(rows.length));
  });

  it('refuses UPDATE of a linked record, DELETE and TRUNCATE', async () => {
    const { id } = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW' }));
    await expect(dbPool().query("UPDATE audit_events SET reason = 'x' WHERE id = $1", [id])).rejects.toThrow(/append-only: UPDATE/);
    await expect(dbPool().query("UPDATE audit_events SET hash = repeat('0', 64) WHERE id = $1", [id])).rejects.toThrow(/append-only: UPDATE/);
    await expect(dbPool().query('DELETE FROM audit_events WHERE id = $1', [id])).rejects.toThrow(/append-only: DELETE/);
    await expect(dbPool().query('TRUNCATE audit_events')).rejects.toThrow();
  });
});
