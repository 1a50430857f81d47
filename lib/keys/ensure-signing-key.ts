// The authorization server's active signing key (ES256), created on first use. Creation, rotation
// and promotion take one advisory lock, so however many instances start at once, one key is ACTIVE.
// The decrypted key is cached briefly (lib/keys/key-timeline.ts: at most a minute, at most the time
// a NEXT key is published before it signs), and never past the moment a NEXT key takes over: every
// instance switches to it then, without a write (lib/keys/key-timeline.ts).
import 'server-only';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { db } from '@/lib/db/client';
import { decryptPrivateJwk, encryptPrivateJwk } from '@/lib/keys/key-encryption';
import { DEFAULT_GRACE_SECONDS, retirementSkewMs, signerCacheMs } from '@/lib/keys/key-timeline';
import type { Prisma } from '@/lib/generated/prisma/client';

export const SIGNING_ALG = 'ES256';
const KEY_LOCK = 7_104_202;

export type SigningKey = { kid: string; alg: typeof SIGNING_ALG; privateKey: CryptoKey; publicJwk: JWK };

let cache: { key: SigningKey; until: number } | undefined;

export function resetSigningKeyCache() {
  cache = undefined;
}

export async function lockSigningKeys(tx: Prisma.TransactionClient) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
}

/**
 * Generates and stores a new key inside the caller's locked transaction: ACTIVE, or NEXT (published,
 * signing from `activateAt`).
 */
export async function createSigningKey(tx: Prisma.TransactionClient, options: { activateAt?: Date } = {}): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  await tx.signingKey.create({
    data: {
      id: kid,
      alg: SIGNING_ALG,
      publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' } as Prisma.InputJsonObject,
      privateJwkEncrypted: encryptPrivateJwk(kid, privateJwk),
      status: options.activateAt ? 'NEXT' : 'ACTIVE',
      activateAt: options.activateAt ?? new Date(),
    },
  });
  return kid;
}

/**
 * A NEXT key whose time has come takes over: it becomes ACTIVE, and the key it replaces becomes
 * RETIRING (published until its `retireAt` and its tokens' expiry, lib/keys/list-published-keys.ts).
 * Idempotent; in the caller's transaction, under the lock.
 */
export async function promoteDueKey(tx: Prisma.TransactionClient, now = new Date()): Promise<void> {
  const due = await tx.signingKey.findFirst({ where: { status: 'NEXT', activateAt: { lte: now } }, orderBy: [{ activateAt: 'desc' }, { createdAt: 'desc' }] });
  if (!due) return;
  const takeover = due.activateAt ?? now;
  // The replaced key was told its floor at rotation (retireAt); never less than the time an
  // instance that had not seen the takeover yet could still sign with it, plus the skew.
  const floor = new Date(takeover.getTime() + signerCacheMs() + retirementSkewMs());
  const replaced = await tx.signingKey.findMany({ where: { status: 'ACTIVE' }, select: { id: true, retireAt: true } });
  for (const key of replaced) {
    const asked = key.retireAt?.getTime() ?? takeover.getTime() + DEFAULT_GRACE_SECONDS * 1000;
    const retireAt = new Date(Math.max(asked, floor.getTime()));
    await tx.signingKey.update({ where: { id: key.id }, data: { status: 'RETIRING', retireAt } });
  }
  await tx.signingKey.update({ where: { id: due.id }, data: { status: 'ACTIVE' } });
}

/** What reads the keys: the caller's transaction (no second connection while it holds one), or the pool. */
export type KeyReader = Pick<Prisma.TransactionClient, 'signingKey'>;

/**
 * The key that signs now, and when the NEXT one takes over (that ends the cache). A NEXT key whose
 * time has come signs even before its row says ACTIVE: the takeover is a time in the database, not a
 * write, so signing never waits for one (the JWKS and rotations promote it, promoteDueKey). Only
 * the very first key is written here, in a transaction of its own under the lock.
 */
async function loadKeys(q: KeyReader) {
  const read = (reader: KeyReader) => reader.signingKey.findMany({ where: { status: { in: ['ACTIVE', 'NEXT'] } }, orderBy: { createdAt: 'desc' } });
  const now = Date.now();
  const byTakeover = (a: { activateAt: Date | null }, b: { activateAt: Date | null }) => (a.activateAt?.getTime() ?? 0) - (b.activateAt?.getTime() ?? 0);
  const signer = (rows: Awaited<ReturnType<typeof read>>) =>
    rows
      .filter((r) => r.status === 'NEXT' && r.activateAt && r.activateAt.getTime() <= now)
      .sort(byTakeover)
      .at(-1) ?? rows.find((r) => r.status === 'ACTIVE');
  let rows = await read(q);
  if (!signer(rows)) {
    await db().$transaction(async (tx) => {
      await lockSigningKeys(tx);
      if (!(await tx.signingKey.findFirst({ where: { status: 'ACTIVE' }, select: { id: true } }))) await createSigningKey(tx);
    });
    rows = await read(db());
  }
  const signing = signer(rows);
  if (!signing) throw new Error('no active signing key');
  const next = rows.filter((r) => r.status === 'NEXT' && r.activateAt && r.activateAt.getTime() > now).sort(byTakeover)[0];
  return { signing, nextTakeover: next?.activateAt ?? null };
}

/** The signing key, cached; `q`: read through the caller's transaction when inside one. */
export async function ensureSigningKey(q: KeyReader = db()): Promise<SigningKey> {
  if (cache && cache.until > Date.now()) return cache.key;
  const { signing, nextTakeover } = await loadKeys(q);
  const privateKey = (await importJWK(decryptPrivateJwk(signing.id, signing.privateJwkEncrypted) as JWK, SIGNING_ALG)) as CryptoKey;
  const key: SigningKey = { kid: signing.id, alg: SIGNING_ALG, privateKey, publicJwk: signing.publicJwk as JWK };
  const until = Date.now() + signerCacheMs();
  cache = { key, until: nextTakeover ? Math.min(until, nextTakeover.getTime()) : until };
  return key;
}
