// The authorization server's active signing key (ES256), created on first use. Creation and
// rotation take one advisory lock, so however many instances start at once, one key is ACTIVE.
// The decrypted key is cached for a minute: signing does not read the database each time, and a
// rotation elsewhere is picked up within that minute (the old key stays published meanwhile).
import 'server-only';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { db } from '@/lib/db/client';
import { decryptPrivateJwk, encryptPrivateJwk } from '@/lib/keys/key-encryption';
import type { Prisma } from '@/lib/generated/prisma/client';

export const SIGNING_ALG = 'ES256';
const KEY_LOCK = 7_104_202;
const CACHE_MS = 60_000;

export type SigningKey = { kid: string; alg: typeof SIGNING_ALG; privateKey: CryptoKey; publicJwk: JWK };

let cache: { key: SigningKey; until: number } | undefined;

export function resetSigningKeyCache() {
  cache = undefined;
}

export async function lockSigningKeys(tx: Prisma.TransactionClient) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
}

/** Generates and stores a new ACTIVE key inside the caller's locked transaction. */
export async function createSigningKey(tx: Prisma.TransactionClient): Promise<string> {
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
      status: 'ACTIVE',
    },
  });
  return kid;
}

export async function ensureSigningKey(): Promise<SigningKey> {
  if (cache && cache.until > Date.now()) return cache.key;
  let row = await db().signingKey.findFirst({ where: { status: 'ACTIVE' }, orderBy: { createdAt: 'desc' } });
  if (!row) {
    row = await db().$transaction(async (tx) => {
      await lockSigningKeys(tx);
      const existing = await tx.signingKey.findFirst({ where: { status: 'ACTIVE' }, orderBy: { createdAt: 'desc' } });
      if (existing) return existing;
      const kid = await createSigningKey(tx);
      return tx.signingKey.findUniqueOrThrow({ where: { id: kid } });
    });
  }
  const privateKey = (await importJWK(decryptPrivateJwk(row.id, row.privateJwkEncrypted) as JWK, SIGNING_ALG)) as CryptoKey;
  const key: SigningKey = { kid: row.id, alg: SIGNING_ALG, privateKey, publicJwk: row.publicJwk as JWK };
  cache = { key, until: Date.now() + CACHE_MS };
  return key;
}
