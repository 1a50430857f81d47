// The audit chain on the real database: appends are unsealed and never wait for each other; the
// sealer then links every record to the one before it (in chain order), its hash covering its
// content, and concurrent writers still end up in one unbroken chain.
import { afterAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append-audit-event';
import { expectedHash } from './chain-hash';
import { sealAuditChain } from './seal-audit-chain';
import { closeDb, db } from '@/lib/db/client';

afterAll(closeDb);

/** Seals what is waiting (retrying if another sealer holds the turn), then the chain from `id`'s place. */
async function chainSince(id: bigint) {
  for (let i = 0; i < 50; i++) {
    await sealAuditChain();
    const row = await db().auditEvent.findUniqueOrThrow({ where: { id } });
    if (row.chainSeq !== null) return db().auditEvent.findMany({ where: { chainSeq: { gte: row.chainSeq } }, orderBy: { chainSeq: 'asc' } });
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('not sealed');
}

const recompute = (row: Awaited<ReturnType<typeof chainSince>>[number]) => expectedHash(row);

describe('appendAuditEvent', () => {
  it('links each record to the previous one and hashes its content', async () => {
    const first = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', scopes: ['a'] }));
    const second = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'policy.update', decision: 'DENY', reason: 'because', details: { version: 2, handWritten: false } }));
    const rows = await chainSince(first.id);
    const a = rows.find((r) => r.id === first.id)!;
    const b = rows.find((r) => r.id === second.id)!;
    expect(a.hash).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(recompute(a)).toBe(a.hash);
    expect(recompute(b)).toBe(b.hash);
    // Another writer may have appended in between; otherwise b follows a directly.
    const before = rows[rows.findIndex((r) => r.id === second.id) - 1]!; // chain order
    expect(b.prevHash).toBe(before.hash);
  });

  it('detects a changed record', async () => {
    const { id } = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW' }));
    const [row] = await chainSince(id);
    expect(recompute({ ...row!, decision: 'DENY' })).not.toBe(row!.hash);
    expect(recompute(row!)).toBe(row!.hash);
  });

  it('keeps one unbroken chain under concurrent writers', async () => {
    const start = await db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW' }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => db().$transaction((tx) => appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', requestId: `test.concurrent.${i}` }))),
    );
    const rows = await chainSince(start.id);
    expect(rows.length).toBeGreaterThanOrEqual(21);
    expect(rows.every((r) => r.hash !== null)).toBe(true);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
      expect(recompute(rows[i]!)).toBe(rows[i]!.hash);
    }
  });

  it('writes nothing when the surrounding transaction fails', async () => {
    const marker = `test.rollback.${Date.now()}`;
    await expect(
      db().$transaction(async (tx) => {
        await appendAuditEvent(tx, { action: 'session.reauthenticate', decision: 'ALLOW', requestId: marker });
        throw new Error('the decision failed');
      }),
    ).rejects.toThrow('the decision failed');
    expect(await db().auditEvent.count({ where: { requestId: marker } })).toBe(0);
  });
});
