// The audit chain on the real database: every record links to the one before it, its hash covers
// its content, and concurrent writers still produce one unbroken chain.
import { afterAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, auditHash } from './append-audit-event';
import { closeDb, db } from '@/lib/db/client';

afterAll(closeDb);

async function chainSince(id: bigint) {
  return db().auditEvent.findMany({ where: { id: { gte: id } }, orderBy: { id: 'asc' } });
}

function recompute(row: Awaited<ReturnType<typeof chainSince>>[number]) {
  const { id: _id, hash: _hash, ...content } = row;
  return auditHash(content);
}

describe('appendAuditEvent', () => {
  it('links each record to the previous one and hashes its content', async () => {
    const first = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'test.first', decision: 'ALLOW', scopes: ['a'] }));
    const second = await db().$transaction((tx) =>
      appendAuditEvent(tx, { action: 'test.second', decision: 'DENY', reason: 'because', details: { z: 1, a: [1, 2] } }),
    );
    const rows = await chainSince(first.id);
    const a = rows.find((r) => r.id === first.id)!;
    const b = rows.find((r) => r.id === second.id)!;
    expect(a.hash).toBe(first.hash);
    expect(recompute(a)).toBe(a.hash);
    expect(recompute(b)).toBe(b.hash);
    // Another writer may have appended in between; otherwise b follows a directly.
    const before = rows[rows.findIndex((r) => r.id === second.id) - 1]!;
    expect(b.prevHash).toBe(before.hash);
  });

  it('detects a changed record', async () => {
    const { id } = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'test.tamper', decision: 'ALLOW' }));
    const [row] = await chainSince(id);
    expect(recompute({ ...row!, decision: 'DENY' })).not.toBe(row!.hash);
  });

  it('keeps one unbroken chain under concurrent writers', async () => {
    const start = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'test.start', decision: 'ALLOW' }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db().$transaction((tx) => appendAuditEvent(tx, { action: `test.concurrent.${i}`, decision: 'ALLOW' })),
      ),
    );
    const rows = await chainSince(start.id);
    expect(rows.length).toBeGreaterThanOrEqual(21);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
      expect(recompute(rows[i]!)).toBe(rows[i]!.hash);
    }
  });

  it('writes nothing when the surrounding transaction fails', async () => {
    const marker = `test.rollback.${Date.now()}`;
    await expect(
      db().$transaction(async (tx) => {
        await appendAuditEvent(tx, { action: marker, decision: 'ALLOW' });
        throw new Error('the decision failed');
      }),
    ).rejects.toThrow('the decision failed');
    expect(await db().auditEvent.count({ where: { action: marker } })).toBe(0);
  });
});
