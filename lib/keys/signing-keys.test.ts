// Signing keys on the real database: created once, encrypted at rest, rotated with a grace period.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { compactVerify, CompactSign, createLocalJWKSet } from 'jose';
import { closeDb, db } from '@/lib/db/client';
import { ensureSigningKey, resetSigningKeyCache } from './ensure-signing-key';
import { decryptPrivateJwk } from './key-encryption';
import { listPublishedKeys } from './list-published-keys';
import { rotateSigningKey } from './rotate-signing-key';

afterAll(closeDb);

beforeEach(async () => {
  // Each test starts from "no usable key" (the table is shared with other tests).
  await db().signingKey.updateMany({ data: { status: 'RETIRED' } });
  resetSigningKeyCache();
});

async function sign(payload: string) {
  const key = await ensureSigningKey();
  return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}

describe('signing keys', () => {
  it('creates one ES256 key on first use, stored encrypted', async () => {
    const key = await ensureSigningKey();
    expect(key.alg).toBe('ES256');
    const row = await db().signingKey.findUniqueOrThrow({ where: { id: key.kid } });
    expect(row.status).toBe('ACTIVE');
    expect(row.privateJwkEncrypted).not.toContain('"d"');
    expect(decryptPrivateJwk(row.id, row.privateJwkEncrypted)).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
    // Authenticated encryption: a flipped byte, or the ciphertext under another kid, does not decrypt.
    const [iv, ct, tag] = row.privateJwkEncrypted.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => decryptPrivateJwk(row.id, [iv, flipped.toString('base64url'), tag].join('.'))).toThrow();
    expect(() => decryptPrivateJwk('another-kid', row.privateJwkEncrypted)).toThrow();
    // A truncated tag is refused, not accepted as a weaker one.
    expect(() => decryptPrivateJwk(row.id, [iv, ct, Buffer.from(tag!, 'base64url').subarray(0, 8).toString('base64url')].join('.'))).toThrow(/authentication tag/);
  });

  it('leaves exactly one ACTIVE key when many callers start at once', async () => {
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        resetSigningKeyCache();
        return ensureSigningKey();
      }),
    );
    expect(await db().signingKey.count({ where: { status: 'ACTIVE' } })).toBe(1);
  });

  it('publishes public keys only, which verify what the active key signs', async () => {
    const jws = await sign('hello');
    const keys = await listPublishedKeys();
    for (const jwk of keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk).not.toHaveProperty(member);
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
    }
    const { payload } = await compactVerify(jws, createLocalJWKSet({ keys }));
    expect(new TextDecoder().decode(payload)).toBe('hello');
  });

  it('rotation keeps the old key published for its grace period, then drops it', async () => {
    const old = await ensureSigningKey();
    const signedBefore = await sign('before rotation');
    const { kid, retired } = await rotateSigningKey({ graceSeconds: 3600 });
    expect(retired).toEqual([old.kid]);
    expect((await ensureSigningKey()).kid).toBe(kid);
    const during = await listPublishedKeys();
    expect(during.map((k) => k.kid).sort()).toEqual([kid, old.kid].sort());
    await compactVerify(signedBefore, createLocalJWKSet({ keys: during }));

    await db().signingKey.update({ where: { id: old.kid }, data: { retireAt: new Date(Date.now() - 1000) } });
    const after = await listPublishedKeys();
    expect(after.map((k) => k.kid)).toEqual([kid]);
    await expect(compactVerify(signedBefore, createLocalJWKSet({ keys: after }))).rejects.toThrow();
    expect((await db().signingKey.findUniqueOrThrow({ where: { id: old.kid } })).status).toBe('RETIRED');
  });
});
