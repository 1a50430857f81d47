// Seals the legacy chain (`chain_id` null): records that a previous version of Leash inserted
// unsealed (before issue 16, and during a rolling upgrade while old instances still run) get their
// place (`chain_seq`), the previous record's hash and their own hash, in commit-visible id order,
// a batch at a time, as that version's sealer did. Records this version writes are linked by
// their insert (lib/audit/chain-append.ts) and never pass here. One sealer at a time across every
// instance (a transaction-scoped advisory lock; the others skip the round); what it writes is
// checked by the database: the trigger lets a row be sealed once, nothing else.
import 'server-only';
import { db } from '@/lib/db/client';
import { linkHash, recordDigest } from '@/lib/audit/chain-hash';
import { Prisma } from '@/lib/generated/prisma/client';
import { startPeriodicTask } from '@/lib/ops/periodic-task';

const SEALER_LOCK = 7_104_202;
const BATCH = 2000;

/** Seals what is committed and unsealed; returns how many rows it sealed (0 if another sealer ran). */
export async function sealLegacyChain(): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await db().$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SEALER_LOCK}) AS locked`;
      if (!lock?.locked) return -1;
      const last = await tx.auditEvent.findFirst({ where: { chainId: null, chainSeq: { not: null } }, orderBy: { chainSeq: 'desc' }, select: { chainSeq: true, hash: true } });
      const rows = await tx.auditEvent.findMany({ where: { chainId: null, chainSeq: null }, orderBy: { id: 'asc' }, take: BATCH });
      if (!rows.length) return 0;
      let seq = last?.chainSeq ?? 0n;
      let previous = last?.hash ?? null;
      const seals: Prisma.Sql[] = [];
      for (const row of rows) {
        seq += 1n;
        // v2 (lib/audit/chain-hash.ts): a link checkable from the record's digest alone.
        const hash = linkHash(recordDigest(row), previous);
        seals.push(Prisma.sql`(${row.id}::bigint, ${seq}::bigint, ${previous}::text, ${hash}::text)`);
        previous = hash;
      }
      await tx.$executeRaw`
        UPDATE audit_events AS e SET chain_seq = v.seq, prev_hash = v.prev, hash = v.hash
          FROM (VALUES ${Prisma.join(seals)}) AS v(id, seq, prev, hash)
         WHERE e.id = v.id AND e.chain_id IS NULL AND e.chain_seq IS NULL`;
      return rows.length;
    });
    if (sealed <= 0) return total;
    total += sealed;
    if (sealed < BATCH) return total;
  }
}

/** Seals every second in the background of a server process (a cheap indexed lookup when there is nothing). */
export const scheduleLegacySealing = (intervalMs = 1000) => startPeriodicTask('legacy audit sealing', intervalMs, sealLegacyChain, 'audit');
