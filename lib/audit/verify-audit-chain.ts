// Recomputes the whole audit log (DECISIONS 10, docs/audit.md) against the database:
// 1. every chain, in place order up to the head its `audit_chains` row names (the legacy chain
//    up to its last sealed place): no place missing, each record's hash covering its content and
//    the previous record's hash, and the last hash equal to the head;
// 2. every signed checkpoint, in order: linked to the one before, its root and hash recomputed,
//    its signature verified with the issuer's key, no chain going backwards, and each head it names
//    present in its chain with that hash.
// It seals what a previous version left unsealed first, so the answer covers everything committed.
// Reads in keyset pages, so it runs in constant memory over any length.
import 'server-only';
import type { JWK } from 'jose';
import { db } from '@/lib/db/client';
import { expectedHash, V2_PREFIX, type ChainHead } from '@/lib/audit/chain-hash';
import { sealLegacyChain } from '@/lib/audit/seal-legacy-chain';
import { chainHeads, checkpointProblem } from '@/lib/audit/audit-checkpoint';

export type ChainVerdict =
  | { ok: true; checked: number; chains: number; checkpoints: number; lastId: bigint | null }
  | {
      ok: false;
      checked: number;
      /** The record (or, for `checkpoint invalid`, the checkpoint) where it breaks. */
      brokenAt: bigint;
      reason: 'content changed' | 'link broken' | 'format downgraded' | 'place missing' | 'chain truncated' | 'checkpoint invalid';
      detail: string;
    };

type Broken = Extract<ChainVerdict, { ok: false }>;
const PAGE = 1000;

/** Walks one chain up to its head; returns how many records it checked and the last id, or what broke. */
async function verifyChain(head: ChainHead): Promise<{ checked: number; lastId: bigint | null } | (Omit<Broken, 'ok'> & { checked: number })> {
  const chainId = head.chain === 'legacy' ? null : Number(head.chain);
  const headSeq = BigInt(head.seq);
  const name = head.chain === 'legacy' ? 'the legacy chain' : `chain ${head.chain}`;
  let previousHash: string | null = null;
  let seq = 0n;
  let lastId: bigint | null = null;
  let checked = 0;
  while (seq < headSeq) {
    const rows = await db().auditEvent.findMany({ where: { chainId, chainSeq: { gt: seq, lte: headSeq } }, orderBy: { chainSeq: 'asc' }, take: PAGE });
    if (!rows.length) break;
    for (const row of rows) {
      const at = { brokenAt: row.id, checked };
      if (row.chainSeq !== seq + 1n) return { ...at, reason: 'place missing', detail: `place ${seq + 1n} of ${name} is missing` };
      if (row.prevHash !== previousHash) return { ...at, reason: 'link broken', detail: `record ${row.id} does not link to the record before it in ${name}` };
      // Once records are sealed in v2, an older format after them can only be a rewrite.
      if (previousHash?.startsWith(V2_PREFIX) && !row.hash?.startsWith(V2_PREFIX))
        return { ...at, reason: 'format downgraded', detail: `record ${row.id} is in an older format than the one before it` };
      if (expectedHash(row) !== row.hash) return { ...at, reason: 'content changed', detail: `record ${row.id} was changed after it was written` };
      previousHash = row.hash;
      seq = row.chainSeq;
      lastId = row.id;
      checked++;
    }
  }
  if (seq !== headSeq || previousHash !== head.hash) return { brokenAt: lastId ?? 0n, checked, reason: 'chain truncated', detail: `${name} ends at place ${seq}, its head is at place ${headSeq}` };
  return { checked, lastId };
}

async function verifyCheckpoints(): Promise<{ count: number } | Omit<Broken, 'ok' | 'checked'>> {
  const keys = new Map((await db().signingKey.findMany({ select: { id: true, publicJwk: true } })).map((k) => [k.id, k.publicJwk as JWK]));
  let previous: { hash: string; heads: Map<string, ChainHead> } | null = null;
  let after = 0n;
  let count = 0;
  for (;;) {
    const page = await db().auditCheckpoint.findMany({ where: { id: { gt: after } }, orderBy: { id: 'asc' }, take: PAGE });
    for (const checkpoint of page) {
      const broken = (detail: string) => ({ brokenAt: checkpoint.id, reason: 'checkpoint invalid' as const, detail: `checkpoint ${checkpoint.id}: ${detail}` });
      const problem = await checkpointProblem(checkpoint, previous?.hash ?? null, keys);
      if (problem) return broken(problem);
      const heads = new Map((checkpoint.heads as ChainHead[]).map((head) => [head.chain, head]));
      // Only the heads that moved since the checkpoint before need looking up.
      const moved = [...heads.values()].filter((head) => previous?.heads.get(head.chain)?.seq !== head.seq);
      for (const head of previous?.heads.values() ?? []) {
        const now = heads.get(head.chain);
        if (!now || BigInt(now.seq) < BigInt(head.seq)) return broken(`${head.chain === 'legacy' ? 'the legacy chain' : `chain ${head.chain}`} went back from place ${head.seq}`);
      }
      if (moved.length) {
        const found = await db().$queryRaw<{ chain: string; seq: string; hash: string | null }[]>`
          SELECT coalesce(e.chain_id::text, 'legacy') AS chain, e.chain_seq::text AS seq, e.hash
            FROM unnest(${moved.map((h) => (h.chain === 'legacy' ? null : Number(h.chain)))}::int[], ${moved.map((h) => h.seq)}::bigint[]) AS m(chain_id, seq)
            JOIN audit_events AS e ON e.chain_id IS NOT DISTINCT FROM m.chain_id AND e.chain_seq = m.seq`;
        const at = new Map(found.map((row) => [`${row.chain}:${row.seq}`, row.hash]));
        for (const head of moved)
          if (at.get(`${head.chain}:${head.seq}`) !== head.hash)
            return broken(`the record at place ${head.seq} of ${head.chain === 'legacy' ? 'the legacy chain' : `chain ${head.chain}`} is not the one it signed`);
      }
      previous = { hash: checkpoint.hash, heads };
      count++;
    }
    if (page.length < PAGE) return { count };
    after = page.at(-1)!.id;
  }
}

export async function verifyAuditChain(): Promise<ChainVerdict> {
  await sealLegacyChain();
  const heads = await chainHeads();
  let checked = 0;
  let lastId: bigint | null = null;
  for (const head of heads) {
    const result = await verifyChain(head);
    if ('reason' in result) return { ok: false, ...result, checked: checked + result.checked };
    checked += result.checked;
    if (result.lastId !== null && (lastId === null || result.lastId > lastId)) lastId = result.lastId;
  }
  const checkpoints = await verifyCheckpoints();
  if ('reason' in checkpoints) return { ok: false, checked, ...checkpoints };
  return { ok: true, checked, chains: heads.length, checkpoints: checkpoints.count, lastId };
}
