// The audit browser's query plan on the real database: each filtered page is read from an index
// in the page's own order (no sort of the user's records), so the 1st and the 1,000th page cost the
// same. Sequential scans are disabled only to ask "is there an index of this query's shape?", as on
// a small test table the planner would rightly prefer a scan; the 10-million-row timing is issue 7's
// benchmark.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import { auditSearchSql, type AuditFilter } from './search-audit-events';

afterAll(closeDb);

type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };

/**
 * The plan's nodes. `without` names an index dropped inside the transaction (rolled back): with two
 * indexes that could serve a query, which one the planner picks depends on the table's statistics
 * at that moment (other tests write audit rows), so the question "does an index of this shape
 * serve it, in order?" is asked with the other one out of the way.
 */
async function plan(filter: AuditFilter, without?: string): Promise<PlanNode[]> {
  const rollback = new Error('rollback');
  let flat: PlanNode[] = [];
  await db()
    .$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      await tx.$executeRawUnsafe("SET LOCAL lock_timeout = '5s'");
      if (without) await tx.$executeRawUnsafe(`DROP INDEX ${without}`);
      flat = await explain(tx, filter);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return flat;
}

async function explain(tx: Prisma.TransactionClient, filter: AuditFilter): Promise<PlanNode[]> {
  const rows = await tx.$queryRaw<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(Prisma.sql`EXPLAIN (FORMAT JSON) ${auditSearchSql(filter, { userId: crypto.randomUUID(), role: 'USER' }, 51)}`);
  const flat: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    flat.push(node);
    node.Plans?.forEach(walk);
  };
  walk(rows[0]!['QUERY PLAN'][0]!.Plan);
  return flat;
}

describe('the audit browser query', () => {
  it('walks the (user, agent, id) index for an agent filter, older pages included, without sorting', async () => {
    // With the (user, id) index dropped, the (user, agent, id) one serves the agent filter in order.
    // (Dropping needs the table's exclusive lock, which other tests' writes can hold past the lock
    // timeout; then the question is asked with both indexes, either of which serves it in order.)
    const filter: AuditFilter = { agent: crypto.randomUUID(), decision: 'DENY', before: 123_456n };
    let expected = ['audit_events_user_id_agent_id_id_idx'];
    const nodes = await plan(filter, 'audit_events_user_id_id_idx').catch(async (error: unknown) => {
      if (!/lock timeout|55P03/.test(String(error))) throw error;
      expected = ['audit_events_user_id_agent_id_id_idx', 'audit_events_user_id_id_idx'];
      return plan(filter);
    });
    const used = nodes.map((n) => n['Index Name']).filter(Boolean);
    expect(used).toHaveLength(1);
    expect(expected).toContain(used[0]);
    expect(nodes.some((n) => n['Node Type'] === 'Sort')).toBe(false);
  });

  it('walks the (user, id) index for a user’s whole log with text and time filters', async () => {
    const nodes = await plan({ q: 'invoice', from: '2026-11-01T00:00:00Z', before: 99n });
    expect(nodes.map((n) => n['Index Name']).filter(Boolean)).toEqual(['audit_events_user_id_id_idx']);
    expect(nodes.some((n) => n['Node Type'] === 'Sort')).toBe(false);
  });
});
