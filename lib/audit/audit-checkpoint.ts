// Signed checkpoints of the audit log (issue 16 §1, docs/audit.md). The log is several chains
// (lib/audit/chain-append.ts); every few seconds one instance writes a checkpoint naming the head
// of every chain (place and hash), their Merkle root, the previous checkpoint's hash, and a JWS
// over them with the issuer's signing key. So the chains are ordered against each other at every
// checkpoint, and rewriting anything a checkpoint covers means forging the issuer's signature.
// Nothing is written when no chain moved since the last checkpoint.
import 'server-only';
import { decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { db } from '@/lib/db/client';
import type { Prisma } from '@/lib/generated/prisma/client';
import { canonicalJson, checkpointHash, merkleRoot, sortHeads, type ChainHead } from '@/lib/audit/chain-hash';
import { ensureSigningKey } from '@/lib/keys/ensure-signing-key';
import { getConfig } from '@/lib/config/config';
import { startPeriodicTask } from '@/lib/ops/periodic-task';

const CHECKPOINT_LOCK = 7_104_203;
export const CHECKPOINT_TYP = 'leash-audit-checkpoint+jwt';
/** How often an instance offers to write a checkpoint: the longest a record stays unbound by a signature. */
export const CHECKPOINT_INTERVAL_MS = 5_000;

type CheckpointClaims = { iss: string; hash: string; root: string; prev: string | null; created_at: string };

/** The head of every chain that has a record, as committed now (one snapshot per statement). */
export async function chainHeads(q: Pick<Prisma.TransactionClient, '$queryRaw'> = db()): Promise<ChainHead[]> {
  const chains = await q.$queryRaw<{ id: number; seq: bigint; hash: string | null }[]>`SELECT id, seq, hash FROM audit_chains WHERE seq > 0 ORDER BY id`;
  const legacy = await q.$queryRaw<
    { seq: bigint; hash: string | null }[]
  >`SELECT chain_seq AS seq, hash FROM audit_events WHERE chain_id IS NULL AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1`;
  const heads = chains.map((c) => ({ chain: String(c.id), seq: c.seq.toString(), hash: c.hash }));
  return sortHeads(legacy[0] ? [{ chain: 'legacy', seq: legacy[0].seq.toString(), hash: legacy[0].hash }, ...heads] : heads);
}

/** Writes a checkpoint when a chain moved since the last one (one writer at a time); returns its id, or null. */
export async function writeCheckpoint(): Promise<bigint | null> {
  const key = await ensureSigningKey();
  return db().$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${CHECKPOINT_LOCK}) AS locked`;
    if (!lock?.locked) return null;
    const heads = await chainHeads(tx);
    const last = await tx.auditCheckpoint.findFirst({ orderBy: { id: 'desc' }, select: { hash: true, heads: true } });
    // (jsonb gives the keys back in its own order: compare canonical forms.)
    if (last && canonicalJson(last.heads) === canonicalJson(heads)) return null;
    const createdAt = new Date();
    const root = merkleRoot(heads);
    const prevHash = last?.hash ?? null;
    const hash = checkpointHash({ createdAt, root, prevHash });
    const claims: CheckpointClaims = { iss: getConfig().issuer, hash, root, prev: prevHash, created_at: createdAt.toISOString() };
    const signature = await new SignJWT({ ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: CHECKPOINT_TYP }).setIssuedAt().sign(key.privateKey);
    const row = await tx.auditCheckpoint.create({ data: { createdAt, heads, root, prevHash, hash, signature }, select: { id: true } });
    return row.id;
  });
}

export type CheckpointRow = { id: bigint; createdAt: Date; heads: unknown; root: string; prevHash: string | null; hash: string; signature: string };

/**
 * What is wrong with a checkpoint on its own and against the one before it, or null: its hash,
 * root and link, and its signature with the issuer's key it names (public keys stay in
 * `signing_keys` after they retire, so old checkpoints stay checkable).
 */
export async function checkpointProblem(checkpoint: CheckpointRow, previousHash: string | null, publicKeys: Map<string, JWK>): Promise<string | null> {
  const heads = checkpoint.heads as ChainHead[];
  if (checkpoint.prevHash !== previousHash) return 'not linked to the checkpoint before it';
  if (merkleRoot(heads) !== checkpoint.root) return 'its heads do not give its root';
  if (checkpointHash(checkpoint) !== checkpoint.hash) return 'its hash does not cover its content';
  try {
    const { kid } = decodeProtectedHeader(checkpoint.signature);
    const jwk = kid ? publicKeys.get(kid) : undefined;
    if (!jwk) return 'signed by a key the issuer never had';
    // Any issuer: instances behind different issuers may share a database (the key is what counts).
    const { payload } = await jwtVerify(checkpoint.signature, await importJWK(jwk, 'ES256'), { typ: CHECKPOINT_TYP });
    if (payload.hash !== checkpoint.hash || payload.root !== checkpoint.root || payload.prev !== checkpoint.prevHash) return 'its signature covers another checkpoint';
  } catch (error) {
    return `its signature does not verify (${(error as Error).message})`;
  }
  return null;
}

/** Offers a checkpoint every few seconds in the background of a server process. */
export const scheduleCheckpoints = (intervalMs = CHECKPOINT_INTERVAL_MS) => startPeriodicTask('audit checkpoint', intervalMs, writeCheckpoint, 'audit');
