// A self-verifying export of audit records (issue 18): the subject's records with their content,
// every other record between them and the chain's head as a link (its digest and hash only,
// nothing of its content), and a seal: the head's place and hash, signed with the issuer's
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
import { sealAuditChain } from '@/lib/audit/seal-audit-chain';
import { ensureSigningKey } from '@/lib/keys/ensure-signing-key';
import { getConfig } from '@/lib/config/config';
import { PROOF_FORMAT, PROOF_TYP, type ProofHeader, type ProofLink, type ProofRecord, type SealClaims } from '@/lib/audit/verify-proof';

const PAGE = 1000;

export type ProofScope = { subject: string; userId: string | null; agentId?: string; from?: Date; to?: Date };

/** The proof's lines, one JSON object each, produced as they are read. */
export async function* auditProofLines(scope: ProofScope): AsyncGenerator<string> {
  await sealAuditChain();
  const mine = Prisma.sql`${scope.userId === null ? Prisma.sql`TRUE` : Prisma.sql`user_id = ${scope.userId}::uuid`}
    AND ${scope.agentId ? Prisma.sql`agent_id = ${scope.agentId}::uuid` : Prisma.sql`TRUE`}
    AND ${scope.from ? Prisma.sql`created_at >= ${scope.from}` : Prisma.sql`TRUE`}
    AND ${scope.to ? Prisma.sql`created_at <= ${scope.to}` : Prisma.sql`TRUE`}`;
  const [bounds] = await db().$queryRaw<{ first_seq: bigint | null; not_covered: bigint; head_seq: bigint | null }[]>`
    SELECT (SELECT min(chain_seq) FROM audit_events WHERE chain_seq IS NOT NULL AND hash LIKE ${`${V2_PREFIX}%`} AND ${mine}) AS first_seq,
           (SELECT count(*) FROM audit_events WHERE chain_seq IS NOT NULL AND hash NOT LIKE ${`${V2_PREFIX}%`} AND ${mine}) AS not_covered,
           (SELECT max(chain_seq) FROM audit_events) AS head_seq`;
  const header: ProofHeader = {
    type: 'header',
    format: PROOF_FORMAT,
    issuer: getConfig().issuer,
    subject: scope.subject,
    generated_at: new Date().toISOString(),
    not_covered: Number(bounds?.not_covered ?? 0),
  };
  yield `${JSON.stringify(header)}\n`;

  const claims: SealClaims = { iss: header.issuer, sub: scope.subject, first_seq: null, head_seq: null, head_hash: null, records: 0, places: 0 };
  const firstSeq = bounds?.first_seq ?? null;
  const headSeq = bounds?.head_seq ?? null;
  if (firstSeq !== null && headSeq !== null) {
    claims.first_seq = firstSeq.toString();
    claims.head_seq = headSeq.toString();
    let after = firstSeq - 1n;
    while (after < headSeq) {
      const rows = await db().auditEvent.findMany({ where: { chainSeq: { gt: after, lte: headSeq } }, orderBy: { chainSeq: 'asc' }, take: PAGE });
      if (!rows.length) break;
      const ids = rows.map((row) => row.id);
      const matching = new Set((await db().$queryRaw<{ id: bigint }[]>`SELECT id FROM audit_events WHERE id = ANY(${ids}::bigint[]) AND ${mine}`).map((row) => row.id.toString()));
      let page = '';
      for (const row of rows) {
        const { id, chainSeq, prevHash, hash, ...content } = row;
        const seq = chainSeq!.toString();
        if (matching.has(id.toString())) {
          const entry: ProofRecord = { type: 'record', chain_seq: seq, id: id.toString(), prev_hash: prevHash, hash: hash!, record: content };
          page += `${JSON.stringify(entry)}\n`;
          claims.records++;
        } else {
          const entry: ProofLink = { type: 'link', chain_seq: seq, digest: recordDigest(row), hash: hash! };
          page += `${JSON.stringify(entry)}\n`;
        }
        claims.places++;
        claims.head_hash = hash;
        after = chainSeq!;
      }
      yield page;
    }
  }
  const key = await ensureSigningKey();
  const signature = await new SignJWT({ ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: PROOF_TYP }).setIssuedAt().sign(key.privateKey);
  yield `${JSON.stringify({ type: 'seal', signature })}\n`;
}
