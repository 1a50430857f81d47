// The audit chain's hash formulas (DECISIONS 10), pure so that an exported proof can be checked
// anywhere (scripts/audit/verify-export.ts, docs/audit.md) without the server.
//
// - v1 (records sealed before issue 18's exports): hash = SHA-256(canonical JSON of the record's
//   content with its previous hash). Verifying a record needs its whole content.
// - v2 (every record sealed since): digest = SHA-256(canonical JSON of the content alone), and
//   hash = "v2:" + SHA-256("leash-audit/v2\n" + digest + "\n" + previous hash). A record can be
//   checked as a link of the chain from its digest alone, so one user's export can carry the other
//   users' records as digests (nothing of their content) and still be verified end to end.
// The content is the record as stored, without its id, its place (`chainId`, `chainSeq`), its
// previous hash and its own hash: keys sorted, dates as ISO strings (a record read back from an export's JSON
// gives the same canonical form as one read from the database).
import crypto from 'node:crypto';

export const V2_PREFIX = 'v2:';
const EXCLUDED = new Set(['id', 'hash', 'chainId', 'chainSeq', 'prevHash']);

// One-shot hashing (crypto.hash, Node 20.12+): no Hash object per call.
const sha256 = (text: string) => crypto.hash('sha256', text, 'hex');

/**
 * Keys sorted by UTF-16 code units, `undefined` members left out, dates as their ISO string,
 * bigints as strings, everything else as JSON.stringify writes it. Written as one pass that appends
 * to a string (every audited request hashes its record: issue 16 §5); chain-hash.test.ts checks it
 * against the plain definition on random values.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return out + ']';
  }
  return objectJson(value as Record<string, unknown>, null);
}

/** An object's canonical JSON, without the keys in `skip` (the record's place in its chain). */
function objectJson(object: Record<string, unknown>, skip: ReadonlySet<string> | null): string {
  // Default sort order is by UTF-16 code units, as the definition says.
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined || skip?.has(key)) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
    first = false;
  }
  return out + '}';
}

/** v2: the digest of a record's content. */
export function recordDigest(record: Record<string, unknown>): string {
  return sha256(objectJson(record, EXCLUDED));
}

/** v2: a record's hash from its digest and the previous record's hash. */
export function linkHash(digest: string, previousHash: string | null): string {
  return `${V2_PREFIX}${sha256(`leash-audit/v2\n${digest}\n${previousHash ?? ''}`)}`;
}

/** v1: the hash of a record's content with its previous hash (`prevHash` in the record). */
export function v1Hash(record: Record<string, unknown>): string {
  const { id: _id, hash: _hash, chainId: _chain, chainSeq: _seq, ...rest } = record;
  return sha256(canonicalJson(rest));
}

/** What a sealed record's hash must be, in the format its stored hash is in. */
export function expectedHash(record: Record<string, unknown> & { hash?: string | null; prevHash?: string | null }): string {
  return record.hash?.startsWith(V2_PREFIX) ? linkHash(recordDigest(record), record.prevHash ?? null) : v1Hash(record);
}

// Checkpoints (lib/audit/audit-checkpoint.ts): the heads of every chain at one moment, bound
// together by a Merkle root, each checkpoint linked to the one before it.
//   leaf = SHA-256("leash-audit/head\n" + chain + "\n" + seq + "\n" + head hash)
//   node = SHA-256("leash-audit/node\n" + left + "\n" + right); an odd node is carried up as is
//   checkpoint hash = SHA-256("leash-audit/checkpoint\n" + created_at (ISO) + "\n" + root + "\n" + previous checkpoint hash)
/** A chain's head as a checkpoint names it: `chain` is the chain's id, or `legacy`. */
export type ChainHead = { chain: string; seq: string; hash: string | null };

/** Heads in checkpoint order: `legacy` first, then by numeric chain id. */
export function sortHeads(heads: ChainHead[]): ChainHead[] {
  const key = (head: ChainHead) => (head.chain === 'legacy' ? -1 : Number(head.chain));
  return [...heads].sort((a, b) => key(a) - key(b));
}

export function merkleRoot(heads: ChainHead[]): string {
  let level = sortHeads(heads).map((head) => sha256(`leash-audit/head\n${head.chain}\n${head.seq}\n${head.hash ?? ''}`));
  if (!level.length) return sha256('leash-audit/empty');
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha256(`leash-audit/node\n${level[i]}\n${level[i + 1]}`) : level[i]!);
    level = next;
  }
  return level[0]!;
}

export function checkpointHash(checkpoint: { createdAt: Date; root: string; prevHash: string | null }): string {
  return sha256(`leash-audit/checkpoint\n${checkpoint.createdAt.toISOString()}\n${checkpoint.root}\n${checkpoint.prevHash ?? ''}`);
}
