// Checks an audit proof (lib/audit/audit-proof.ts) on its own, without the server or its database:
// scripts/audit/verify-export.ts runs it on a file, and docs/audit.md describes the same steps.
// 1. The seal's signature verifies with the issuer's published keys (the caller's `verifySeal`).
// 2. Entries are every place of the chain from the first exported record to the sealed head, in
//    order, none missing: each record's hash is recomputed from its content, each other user's
//    record (a link) from its digest, each with the previous hash (lib/audit/chain-hash.ts, v2).
// 3. The last hash is the sealed head, and the numbers of records and places are the sealed ones.
// What it proves: every record in the file is, unaltered, in the chain the issuer signed at export
// time, at its stated place. What it cannot: that the exporter left none of the subject's records
// out by passing them off as links (the seal's record count binds the file, not the database).
import { linkHash, recordDigest, V2_PREFIX } from '@/lib/audit/chain-hash';

export const PROOF_FORMAT = 'leash-audit-proof/1';
export const PROOF_TYP = 'leash-audit-proof+jwt';

export type ProofHeader = { type: 'header'; format: string; issuer: string; subject: string; generated_at: string; not_covered: number };
export type ProofRecord = { type: 'record'; chain_seq: string; id: string; prev_hash: string | null; hash: string; record: Record<string, unknown> };
export type ProofLink = { type: 'link'; chain_seq: string; digest: string; hash: string };
export type ProofSeal = { type: 'seal'; signature: string };
export type SealClaims = { iss: string; sub: string; first_seq: string | null; head_seq: string | null; head_hash: string | null; records: number; places: number };

export type ProofVerdict = { ok: true; issuer: string; subject: string; records: number; links: number; headSeq: string | null; notCovered: number } | { ok: false; reason: string; line?: number };

/** `verifySeal` checks the JWS with the issuer's keys and returns its claims (throws when it does not verify). */
export async function verifyProof(lines: Iterable<string> | AsyncIterable<string>, verifySeal: (jws: string, issuer: string) => Promise<SealClaims>): Promise<ProofVerdict> {
  let header: ProofHeader | null = null;
  let previous: string | null = null;
  let firstSeq: bigint | null = null;
  let expectedSeq: bigint | null = null;
  let records = 0;
  let links = 0;
  let number = 0;
  const fail = (reason: string): ProofVerdict => ({ ok: false, reason, line: number });
  for await (const text of lines) {
    number++;
    if (!text.trim()) continue;
    let entry: ProofHeader | ProofRecord | ProofLink | ProofSeal;
    try {
      entry = JSON.parse(text);
    } catch {
      return fail('not JSON');
    }
    if (!header) {
      if (entry.type !== 'header' || entry.format !== PROOF_FORMAT) return fail(`not a ${PROOF_FORMAT} file`);
      header = entry;
      continue;
    }
    if (entry.type === 'record' || entry.type === 'link') {
      const seq = BigInt(entry.chain_seq);
      if (expectedSeq === null) {
        if (entry.type !== 'record') return fail('the proof must start at a record');
        firstSeq = seq;
        previous = entry.prev_hash;
      } else if (seq !== expectedSeq) return fail(`place ${expectedSeq} of the chain is missing`);
      expectedSeq = seq + 1n;
      if (!entry.hash.startsWith(V2_PREFIX)) return fail('only v2 records can be proven this way');
      let hash: string;
      if (entry.type === 'record') {
        if (header.subject !== 'all' && entry.record.userId !== header.subject) return fail(`record ${entry.id} is not the subject's`);
        hash = linkHash(recordDigest(entry.record), previous);
        records++;
      } else {
        if (!/^[0-9a-f]{64}$/.test(entry.digest)) return fail('a link without a digest');
        hash = linkHash(entry.digest, previous);
        links++;
      }
      if (hash !== entry.hash) return fail(entry.type === 'record' ? `record ${entry.id} was changed` : `the chain is broken at place ${seq}`);
      previous = hash;
      continue;
    }
    if (entry.type === 'seal') {
      let claims: SealClaims;
      try {
        claims = await verifySeal(entry.signature, header.issuer);
      } catch (error) {
        return fail(`the seal's signature does not verify (${(error as Error).message})`);
      }
      const lastSeq = expectedSeq === null ? null : (expectedSeq - 1n).toString();
      if (claims.iss !== header.issuer || claims.sub !== header.subject) return fail('the seal names another issuer or subject');
      if (claims.records !== records || claims.places !== records + links)
        return fail(`the seal counts ${claims.records} records in ${claims.places} places, the file has ${records} in ${records + links}`);
      if (records && (claims.first_seq !== firstSeq?.toString() || claims.head_seq !== lastSeq || claims.head_hash !== previous)) return fail('the chain does not end at the sealed head');
      return { ok: true, issuer: header.issuer, subject: header.subject, records, links, headSeq: claims.head_seq, notCovered: header.not_covered };
    }
    return fail(`unknown entry type ${(entry as { type?: unknown }).type}`);
  }
  return { ok: false, reason: header ? 'the file ends without its seal' : 'empty file', line: number };
}
