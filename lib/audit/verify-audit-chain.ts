// Recomputes the audit chain (DECISIONS 10): in chain order, each record's hash must cover its
// content and the previous record's hash. Seals what is waiting first, so the answer covers
// everything committed. Reads in keyset pages, so it runs in constant memory over any length.
import 'server-only';
import { db } from '@/lib/db/client';
import { expectedHash, V2_PREFIX } from '@/lib/audit/chain-hash';
import { sealAuditChain } from '@/lib/audit/seal-audit-chain';

export type ChainVerdict = { ok: true; checked: number; lastId: bigint | null } | { ok: false; checked: number; brokenAt: bigint; reason: 'content changed' | 'link broken' | 'format downgraded' };

const PAGE = 1000;

export async function verifyAuditChain(): Promise<ChainVerdict> {
  await sealAuditChain();
  let previousHash: string | null = null;
  let after: bigint | undefined;
  let lastId: bigint | null = null;
  let checked = 0;
  for (;;) {
    const rows = await db().auditEvent.findMany({
      where: after === undefined ? { chainSeq: { not: null } } : { chainSeq: { gt: after } },
      orderBy: { chainSeq: 'asc' },
      take: PAGE,
    });
    for (const row of rows) {
      if (row.prevHash !== previousHash) return { ok: false, checked, brokenAt: row.id, reason: 'link broken' };
      // Once records are sealed in v2, an older format after them can only be a rewrite.
      if (previousHash?.startsWith(V2_PREFIX) && !row.hash?.startsWith(V2_PREFIX)) return { ok: false, checked, brokenAt: row.id, reason: 'format downgraded' };
      if (expectedHash(row) !== row.hash) return { ok: false, checked, brokenAt: row.id, reason: 'content changed' };
      previousHash = row.hash;
      lastId = row.id;
      checked++;
    }
    if (rows.length < PAGE) return { ok: true, checked, lastId };
    after = rows.at(-1)!.chainSeq!;
  }
}
