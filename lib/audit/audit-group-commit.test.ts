// Group commit against the real database: concurrent rows share statements yet each caller learns
// its own outcome; a token and its issuance record commit together; a row that cannot be written
// fails alone.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEventGrouped, insertTokenGrouped, isOneRowsFault } from './audit-group-commit';
import { closeDb, db } from '@/lib/db/client';
import { uuid7 } from '@/lib/ids/uuid7';

let agentId: string;
beforeAll(async () => {
  agentId = (await db().agent.create({ data: { clientId: `group-${crypto.randomBytes(4).toString('hex')}`, name: 'Group commit agent', registration: 'DCR' }, select: { id: true } })).id;
});
afterAll(closeDb);

const token = (agent: string) => {
  const now = new Date();
  return {
    id: uuid7(now.getTime()),
    kind: 'ACCESS' as const,
    tokenHash: crypto.randomBytes(32).toString('hex'),
    prefix: 'lsh_at_',
    agentId: agent,
    scopes: ['datasets:read'],
    audience: ['http://x/api'],
    dpopJkt: null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + 600_000),
  };
};

const issued = { grant_type: 'client_credentials', kind: 'ACCESS' as const, expires_at: new Date().toISOString() };

describe('group commit', () => {
  it('writes 100 concurrent audit rows, each committed when its promise resolves', async () => {
    const requestIds = Array.from({ length: 100 }, () => `group-${crypto.randomUUID()}`);
    await Promise.all(requestIds.map((requestId) => appendAuditEventGrouped({ action: 'datasets.list', decision: 'ALLOW', agentId, requestId, scopes: ['datasets:read'], details: { status: 200 } })));
    const rows = await db().auditEvent.findMany({ where: { requestId: { in: requestIds } }, select: { action: true, scopes: true, details: true, agentId: true } });
    expect(rows).toHaveLength(100);
    expect(rows[0]).toEqual({ action: 'datasets.list', scopes: ['datasets:read'], details: { status: 200 }, agentId });
  });

  it('stores every value as given, whatever the batch: arrays with quotes, backslashes, commas and braces, empty arrays, nulls, JSON; and the chain still verifies', async () => {
    const awkward = ['a"b', 'c\\d', 'e,f', '{g}', 'h i', 'NULL', ''];
    const sizes = [1, 3, 17];
    for (const size of sizes) {
      const requestIds = Array.from({ length: size }, () => `odd-${crypto.randomUUID()}`);
      const tokens = requestIds.map(() => ({ ...token(agentId), scopes: awkward, audience: [] }));
      await Promise.all([
        ...requestIds.map((requestId, i) =>
          appendAuditEventGrouped({
            action: 'datasets.list',
            decision: 'DENY',
            agentId: i % 2 ? agentId : undefined,
            requestId,
            scopes: i % 2 ? awkward : [],
            details: i % 2 ? { status: 403, tool: 'a"b\\c{}' } : undefined,
          }),
        ),
        ...tokens.map((t) => insertTokenGrouped(t, { action: 'token.issue', decision: 'ALLOW', agentId, reason: 'test', details: issued })),
      ]);
      const rows = await db().auditEvent.findMany({ where: { requestId: { in: requestIds } }, select: { requestId: true, scopes: true, details: true, agentId: true, reason: true } });
      expect(rows).toHaveLength(size);
      for (const row of rows) {
        const i = requestIds.indexOf(row.requestId!);
        expect(row).toEqual({ requestId: requestIds[i], scopes: i % 2 ? awkward : [], details: i % 2 ? { status: 403, tool: 'a"b\\c{}' } : null, agentId: i % 2 ? agentId : null, reason: null });
      }
      const stored = await db().token.findMany({ where: { id: { in: tokens.map((t) => t.id) } }, select: { scopes: true, audience: true, amr: true } });
      expect(stored).toEqual(tokens.map(() => ({ scopes: awkward, audience: [], amr: [] })));
    }
    const { verifyAuditChain } = await import('@/lib/audit/verify-audit-chain');
    expect((await verifyAuditChain()).ok).toBe(true);
  });

  it('commits a token with its issuance record, and a bad row fails alone', async () => {
    const good = token(agentId);
    const orphan = token(crypto.randomUUID()); // no such agent: the foreign key refuses it
    const results = await Promise.allSettled([
      insertTokenGrouped(good, { action: 'token.issue', decision: 'ALLOW', agentId, reason: 'test', details: issued }),
      insertTokenGrouped(orphan, { action: 'token.issue', decision: 'ALLOW', agentId: orphan.agentId, reason: 'test', details: issued }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(await db().token.count({ where: { id: good.id } })).toBe(1);
    expect(await db().auditEvent.count({ where: { tokenId: good.id, action: 'token.issue' } })).toBe(1);
    expect(await db().token.count({ where: { id: orphan.id } })).toBe(0);
    expect(await db().auditEvent.count({ where: { tokenId: orphan.id } })).toBe(0);
  });

  it('retries a failed batch row by row only when a row’s data can be at fault, not after a timeout or a lost connection', () => {
    expect(isOneRowsFault({ code: '23503' })).toBe(true); // foreign key: an agent deleted a moment ago
    expect(isOneRowsFault({ code: '22001' })).toBe(true); // a value too long
    expect(isOneRowsFault({ code: '57014' })).toBe(false); // statement_timeout
    expect(isOneRowsFault({ code: '55P03' })).toBe(false); // lock_timeout
    expect(isOneRowsFault({ code: '08006' })).toBe(false); // connection failure
    expect(isOneRowsFault({ code: 'P0001' })).toBe(false); // a trigger refusing every row
    expect(isOneRowsFault(new Error('timeout exceeded when trying to connect'))).toBe(false);
    expect(isOneRowsFault(null)).toBe(false);
  });

  it('refuses a row with an intent text (that needs its second table in the same transaction)', async () => {
    await expect(appendAuditEventGrouped({ action: 'datasets.list', decision: 'ALLOW', intent: { hash: 'h', text: { text: 't', purgeAfter: new Date() } } })).rejects.toThrow(/intent text/);
  });
});
