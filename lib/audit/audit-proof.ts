// A self-verifying export of audit records (issue 18): for each chain of the log that holds the
// subject's records (lib/audit/chain-append.ts), those records with their content, every other
// record between the first of them and the chain's head as a link (its digest and hash only,
// nothing of its content), and a seal: each chain's head place and hash, signed with the issuer's
// published signing key. Anyone with the file and the issuer's JWKS can check it (verify-proof.ts,
// `npm run audit:verify-export`, docs/audit.md). Newline-delimited JSON, streamed page by page, so
// it costs constant memory however many records it covers. Only records sealed in the v2 format
// can be proven from digests; older matching ones are counted as `not_covered` (the operator's
// full verification, `npm run audit:verify`, covers them).
import 'server-only';
import { SignJWT } from 'jose';
import { db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import { recordDigest, V2_PREFIX } from '@/lib/audit/chain-hash';
import { sealLegacyChain } from '@/lib/audit/seal-legacy-chain';
import { chainHeads } from '@/lib/audit/audit-checkpoint';
import { ensureSigningKey } from '@/lib/keys/ensure-signing-key';
import { getConfig } from '@/lib/config/config';
import { PROOF_FORMAT, PROOF_TYP, type ProofChain, type ProofHeader, type ProofLink, type ProofRecord, type SealClaims, type SealedChain } from '@/lib/audit/verify-proof';

const PAGE = 1000;

export type ProofScope = { subject: string; userId: string | null; agentId?: string; from?: Date; to?: Date };

/** The proof's lines, one JSON object each, produced as they are read. */
export async function* auditProofLines(scope: ProofScope): AsyncGenerator<string> {
  await sealLegacyChain();
  // The heads first: what is appended while the file is written comes after them, and is left out.
  const heads = await chainHeads();
  const mine = Prisma.sql`${scope.userId === null ? Prisma.sql`TRUE` : Prisma.sql`user_id = ${scope.userId}::uuid`}
    AND ${scope.agentId ? Prisma.sql`agent_id = ${scope.agentId}::uuid` : Prisma.sql`TRUE`}
    AND ${scope.from ? Prisma.sql`created_at >= ${scope.from}` : Prisma.sql`TRUE`}
    AND ${scope.to ? Prisma.sql`created_at <= ${scope.to}` : Prisma.sql`TRUE`}`;
  const firsts = await db().$queryRaw<{ chain: string; first_seq: bigint }[]>`
    SELECT coalesce(chain_id::text, 'legacy') AS chain, min(chain_seq) AS first_seq
      FROM audit_events WHERE chain_seq IS NOT NULL AND hash LIKE ${`${V2_PREFIX}%`} AND ${mine} GROUP BY chain_id`;
  const [uncovered] = await db().$queryRaw<{ count: bigint }[]>`
    SELECT count(*) AS count FROM audit_events WHERE chain_seq IS NOT NULL AND hash NOT LIKE ${`${V2_PREFIX}%`} AND ${mine}`;
  const header: ProofHeader = {
    type: 'header',
    format: PROOF_FORMAT,
    issuer: getConfig().issuer,
    subject: scope.subject,
    generated_at: new Date().toISOString(),
    not_covered: Number(uncovered?.count ?? 0),
  };
  yield `${JSON.stringify(header)}\n`;

  const claims: SealClaims = { iss: header.issuer, sub: scope.subject, chains: [], records: 0, places: 0 };
  const firstOf = new Map(firsts.map((row) => [row.chain, row.first_seq]));
  for (const head of heads) {
    const firstSeq = firstOf.get(head.chain);
    const headSeq = BigInt(head.seq);
    if (firstSeq === undefined || firstSeq > headSeq) continue;
    const chainId = head.chain === 'legacy' ? null : Number(head.chain);
    const sealed: SealedChain = { chain: head.chain, first_seq: firstSeq.toString(), head_seq: head.seq, head_hash: '', records: 0, places: 0 };
    const opening: ProofChain = { type: 'chain', chain: head.chain, first_seq: sealed.first_seq };
    yield `${JSON.stringify(opening)}\n`;
    let after = firstSeq - 1n;
    while (after < headSeq) {
      const rows = await db().auditEvent.findMany({ where: { chainId, chainSeq: { gt: after, lte: headSeq } }, orderBy: { chainSeq: 'asc' }, take: PAGE });
      if (!rows.length) break;
      const ids = rows.map((row) => row.id);
      const matching = new Set((await db().$queryRaw<{ id: bigint }[]>`SELECT id FROM audit_events WHERE id = ANY(${ids}::bigint[]) AND ${mine}`).map((row) => row.id.toString()));
      let page = '';
      for (const row of rows) {
        const { id, chainId: _chain, chainSeq, prevHash, hash, ...content } = row;
        const seq = chainSeq!.toString();
        if (matching.has(id.toString())) {
          const entry: ProofRecord = { type: 'record', chain_seq: seq, id: id.toString(), prev_hash: prevHash, hash: hash!, record: content };
          page += `${JSON.stringify(entry)}\n`;
          sealed.records++;
        } else {
          const entry: ProofLink = { type: 'link', chain_seq: seq, digest: recordDigest(row), hash: hash! };
          page += `${JSON.stringify(entry)}\n`;
        }
        sealed.places++;
        sealed.head_hash = hash!;
        after = chainSeq!;
      }
      yield page;
    }
    claims.chains!.push(sealed);
    claims.records += sealed.records;
    claims.places += sealed.places;
  }
  const key = await ensureSigningKey();
  const signature = await new SignJWT({ ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: PROOF_TYP }).setIssuedAt().sign(key.privateKey);
  yield `${JSON.stringify({ type: 'seal', signature })}\n`;
}
