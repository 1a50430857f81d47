// Recomputes the audit chain (DECISIONS 10): each record's hash must cover its content and the
// previous record's hash. Reads in keyset pages, so it runs in constant memory over any length.
import 'server-only';
import { db } from '@/lib/db/client';
import { auditHash } from '@/lib/audit/append-audit-event';

export type ChainVerdict =
  | { ok: true; checked: number; lastId: bigint | null }
  | { ok: false; checked: number; brokenAt: bigint; reason: 'content changed' | 'link broken' };

const PAGE = 1000;

export async function verifyAuditChain(): Promise<ChainVerdict> {
  let previousHash: string | null = null;
  let after: bigint | undefined;
  let checked = 0;
  for (;;) {
    const rows = await db().auditEvent.findMany({
      where: after === undefined ? {} : { id: { gt: after } },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    for (const row of rows) {
      const { id, hash, ...content } = row;
      if (content.prevHash !== previousHash) return { ok: false, checked, brokenAt: id, reason: 'link broken' };
      if (auditHash(content) !== hash) return { ok: false, checked, brokenAt: id, reason: 'content changed' };
      previousHash = hash;
      checked++;
    }
    if (rows.length < PAGE) return { ok: true, checked, lastId: rows.at(-1)?.id ?? after ?? null };
    after = rows.at(-1)!.id;
  }
}
