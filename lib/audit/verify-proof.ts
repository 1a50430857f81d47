// Checks an audit proof (lib/audit/audit-proof.ts) on its own, without the server or its database:
// scripts/audit/verify-export.ts runs it on a file, and docs/audit.md describes the same steps.
// 1. The seal's signature verifies with the issuer's published keys (the caller's `verifySeal`).
// 2. For each chain the file covers, its entries are every place of that chain from the first
//    exported record to the sealed head, in order, none missing: each record's hash is recomputed
//    from its content, each other record (a link) from its digest, each with the previous hash
//    (lib/audit/chain-hash.ts, v2).
// 3. Each chain's last hash is its sealed head, and the numbers of records and places are the
//    sealed ones.
// What it proves: every record in the file is, unaltered, in the chains the issuer signed at
// export time, at its stated place. What it cannot: that the exporter left none of the subject's
// records out by passing them off as links (the seal's record count binds the file, not the database).
// Format 1 (before the log had several chains) is one chain without `chain` entries; it still verifies.
import { linkHash, recordDigest, V2_PREFIX } from '@/lib/audit/chain-hash';

export const PROOF_FORMAT = 'leash-audit-proof/2';
const FORMAT_1 = 'leash-audit-proof/1';
export const PROOF_TYP = 'leash-audit-proof+jwt';

export type ProofHeader = { type: 'header'; format: string; issuer: string; subject: string; generated_at: string; not_covered: number };
export type ProofChain = { type: 'chain'; chain: string; first_seq: string };
export type ProofRecord = { type: 'record'; chain_seq: string; id: string; prev_hash: string | null; hash: string; record: Record<string, unknown> };
export type ProofLink = { type: 'link'; chain_seq: string; digest: string; hash: string };
export type ProofSeal = { type: 'seal'; signature: string };
/** What the seal signs about one chain. */
export type SealedChain = { chain: string; first_seq: string; head_seq: string; head_hash: string; records: number; places: number };
export type SealClaims = {
  iss: string;
  sub: string;
  records: number;
  places: number;
  /** Format 2. */
  chains?: SealedChain[];
  /** Format 1: its one chain. */
  first_seq?: string | null;
  head_seq?: string | null;
  head_hash?: string | null;
};

export type ProofVerdict =
  { ok: true; issuer: string; subject: string; records: number; links: number; chains: number; headSeq: string | null; notCovered: number } | { ok: false; reason: string; line?: number };

type Segment = { chain: string; firstSeq: bigint | null; nextSeq: bigint | null; previous: string | null; records: number; places: number };

/** `verifySeal` checks the JWS with the issuer's keys and returns its claims (throws when it does not verify). */
export async function verifyProof(lines: Iterable<string> | AsyncIterable<string>, verifySeal: (jws: string, issuer: string) => Promise<SealClaims>): Promise<ProofVerdict> {
  let header: ProofHeader | null = null;
  const segments: Segment[] = [];
  let segment: Segment | null = null;
  let records = 0;
  let links = 0;
  let number = 0;
  const fail = (reason: string): ProofVerdict => ({ ok: false, reason, line: number });
  const where = (s: Segment) => (s.chain === '' ? 'the chain' : `chain ${s.chain}`);
  for await (const text of lines) {
    number++;
    if (!text.trim()) continue;
    let entry: ProofHeader | ProofChain | ProofRecord | ProofLink | ProofSeal;
    try {
      entry = JSON.parse(text);
    } catch {
      return fail('not JSON');
    }
    if (!header) {
      if (entry.type !== 'header' || (entry.format !== PROOF_FORMAT && entry.format !== FORMAT_1)) return fail(`not a ${PROOF_FORMAT} file`);
      header = entry;
      if (header.format === FORMAT_1) segments.push((segment = { chain: '', firstSeq: null, nextSeq: null, previous: null, records: 0, places: 0 }));
      continue;
    }
    if (entry.type === 'chain') {
      if (header.format === FORMAT_1) return fail('a format 1 proof has one chain');
      if (segments.some((s) => s.chain === String(entry.chain))) return fail(`chain ${entry.chain} appears twice`);
      segments.push((segment = { chain: String(entry.chain), firstSeq: BigInt(entry.first_seq), nextSeq: null, previous: null, records: 0, places: 0 }));
      continue;
    }
    if (entry.type === 'record' || entry.type === 'link') {
      if (!segment) return fail('an entry before its chain');
      const seq = BigInt(entry.chain_seq);
      if (segment.nextSeq === null) {
        if (entry.type !== 'record') return fail(`${where(segment)} must start at a record`);
        if (segment.firstSeq !== null && seq !== segment.firstSeq) return fail(`${where(segment)} must start at place ${segment.firstSeq}`);
        segment.firstSeq = seq;
        segment.previous = entry.prev_hash;
      } else if (seq !== segment.nextSeq) return fail(`place ${segment.nextSeq} of ${where(segment)} is missing`);
      segment.nextSeq = seq + 1n;
      if (!entry.hash.startsWith(V2_PREFIX)) return fail('only v2 records can be proven this way');
      let hash: string;
      if (entry.type === 'record') {
        if (header.subject !== 'all' && entry.record.userId !== header.subject) return fail(`record ${entry.id} is not the subject's`);
        hash = linkHash(recordDigest(entry.record), segment.previous);
        segment.records++;
        records++;
      } else {
        if (!/^[0-9a-f]{64}$/.test(entry.digest)) return fail('a link without a digest');
        hash = linkHash(entry.digest, segment.previous);
        links++;
      }
      segment.places++;
      if (hash !== entry.hash) return fail(entry.type === 'record' ? `record ${entry.id} was changed` : `${where(segment)} is broken at place ${seq}`);
      segment.previous = hash;
      continue;
    }
    if (entry.type === 'seal') {
      let claims: SealClaims;
      try {
        claims = await verifySeal(entry.signature, header.issuer);
      } catch (error) {
        return fail(`the seal's signature does not verify (${(error as Error).message})`);
      }
      if (claims.iss !== header.issuer || claims.sub !== header.subject) return fail('the seal names another issuer or subject');
      if (claims.records !== records || claims.places !== records + links)
        return fail(`the seal counts ${claims.records} records in ${claims.places} places, the file has ${records} in ${records + links}`);
      const sealed: SealedChain[] =
        header.format === FORMAT_1
          ? claims.first_seq
            ? [{ chain: '', first_seq: claims.first_seq, head_seq: claims.head_seq ?? '', head_hash: claims.head_hash ?? '', records: claims.records, places: claims.places }]
            : []
          : (claims.chains ?? []);
      const covered = segments.filter((s) => s.places > 0);
      if (sealed.length !== covered.length) return fail(`the seal covers ${sealed.length} chains, the file ${covered.length}`);
      for (const s of covered) {
        const claim = sealed.find((c) => c.chain === s.chain);
        const lastSeq = (s.nextSeq! - 1n).toString();
        if (!claim || claim.first_seq !== s.firstSeq?.toString() || claim.head_seq !== lastSeq || claim.head_hash !== s.previous || claim.records !== s.records || claim.places !== s.places)
          return fail(`${where(s)} does not end at its sealed head`);
      }
      const headSeq = header.format === FORMAT_1 ? (claims.head_seq ?? null) : null;
      return { ok: true, issuer: header.issuer, subject: header.subject, records, links, chains: covered.length, headSeq, notCovered: header.not_covered };
    }
    return fail(`unknown entry type ${(entry as { type?: unknown }).type}`);
  }
  return { ok: false, reason: header ? 'the file ends without its seal' : 'empty file', line: number };
}
