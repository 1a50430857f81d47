// Signing keys on the real database: created once, encrypted at rest, rotated so that no verifier
// breaks: the next key is published before it signs, the old one stays while its tokens live.
import crypto from 'node:crypto';
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

  it('rotation publishes the next key before it signs, then keeps the old one until its grace period is over', async () => {
    const old = await ensureSigningKey();
    const signedBefore = await sign('before rotation');
    const { kid, activateAt, replaced } = await rotateSigningKey({ graceSeconds: 3600 });
    expect(replaced).toEqual([old.kid]);
    // NEXT: in the JWKS now, signing only after the verifiers' cache lifetime (LEASH_JWKS_MAX_AGE, 300 s).
    expect(activateAt.getTime() - Date.now()).toBeGreaterThan(290_000);
    expect(await statusOf(kid)).toBe('NEXT');
    expect((await listPublishedKeys()).map((k) => k.kid).sort()).toEqual([kid, old.kid].sort());
    expect((await ensureSigningKey()).kid).toBe(old.kid);
    // A second rotation while one is under way changes nothing.
    expect((await rotateSigningKey()).kid).toBe(kid);
    expect(await db().signingKey.count({ where: { status: 'NEXT' } })).toBe(1);

    await takeOverNow(kid);
    // The takeover is a time, not a write: the new key signs before any row changes...
    expect((await ensureSigningKey()).kid).toBe(kid);
    expect(await statusOf(kid)).toBe('NEXT');
    // ...and the JWKS promotes it: the old key is RETIRING, still published.
    const during = await listPublishedKeys();
    expect(await statusOf(kid)).toBe('ACTIVE');
    expect(await statusOf(old.kid)).toBe('RETIRING');
    expect(during.map((k) => k.kid).sort()).toEqual([kid, old.kid].sort());
    await compactVerify(signedBefore, createLocalJWKSet({ keys: during }));

    await db().signingKey.update({ where: { id: old.kid }, data: { retireAt: new Date(Date.now() - 1000) } });
    const after = await listPublishedKeys();
    expect(after.map((k) => k.kid)).toEqual([kid]);
    await expect(compactVerify(signedBefore, createLocalJWKSet({ keys: after }))).rejects.toThrow();
    expect(await statusOf(old.kid)).toBe('RETIRED');
  });

  it('keeps a replaced key published while an access token it signed is unexpired, whatever its grace period', async () => {
    const old = await ensureSigningKey();
    const agent = await db().agent.create({ data: { clientId: `keys-${crypto.randomUUID()}`, name: 'Key rotation test agent', registration: 'DCR' }, select: { id: true } });
    const token = (expiresAt: Date) =>
      db().token.create({
        data: { kind: 'ACCESS', tokenHash: crypto.randomBytes(32).toString('hex'), prefix: 'eyJ', agentId: agent.id, scopes: [], audience: [], signingKeyId: old.kid, expiresAt },
        select: { id: true },
      });
    const longer = await token(new Date(Date.now() + 600_000));
    const shorter = await token(new Date(Date.now() + 60_000));
    const { kid } = await rotateSigningKey({ graceSeconds: 0 });
    await takeOverNow(kid);
    expect((await ensureSigningKey()).kid).toBe(kid);
    await listPublishedKeys();
    expect(await statusOf(old.kid)).toBe('RETIRING');
    // Past its floor (the takeover plus an instance's signer cache and the clock skew)...
    await db().signingKey.update({ where: { id: old.kid }, data: { retireAt: new Date(Date.now() - 1000) } });
    expect((await listPublishedKeys()).map((k) => k.kid)).toContain(old.kid);
    // ...one token expired (more than the clock skew ago): the other still holds the key.
    await db().token.update({ where: { id: shorter.id }, data: { expiresAt: new Date(Date.now() - 31_000) } });
    expect((await listPublishedKeys()).map((k) => k.kid)).toContain(old.kid);
    // Expired, but within the clock skew: a verifier whose clock is behind may still accept it.
    await db().token.update({ where: { id: longer.id }, data: { expiresAt: new Date(Date.now() - 5_000) } });
    expect((await listPublishedKeys()).map((k) => k.kid)).toContain(old.kid);
    expect(await statusOf(old.kid)).toBe('RETIRING');
    await db().token.update({ where: { id: longer.id }, data: { expiresAt: new Date(Date.now() - 31_000) } });
    expect((await listPublishedKeys()).map((k) => k.kid)).toEqual([kid]);
    expect(await statusOf(old.kid)).toBe('RETIRED');
  });

  it('an immediate rotation signs with the new key at once, and keeps the old one at least an instance cache plus the skew', async () => {
    const old = await ensureSigningKey();
    const before = Date.now();
    const { kid, replaced } = await rotateSigningKey({ graceSeconds: 0, immediate: true });
    expect(replaced).toEqual([old.kid]);
    expect((await ensureSigningKey()).kid).toBe(kid);
    const row = await db().signingKey.findUniqueOrThrow({ where: { id: old.kid } });
    expect(row.status).toBe('RETIRING');
    // Another instance may sign with the old key until its cache (a minute) runs out.
    expect(row.retireAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000 + 30_000);
    expect((await listPublishedKeys()).map((k) => k.kid).sort()).toEqual([kid, old.kid].sort());
  });

  it('an immediate rotation during a pending one passes the pending key over', async () => {
    const old = await ensureSigningKey();
    const pending = await rotateSigningKey();
    const now = await rotateSigningKey({ immediate: true });
    expect(now.kid).not.toBe(pending.kid);
    expect((await ensureSigningKey()).kid).toBe(now.kid);
    expect(await statusOf(pending.kid)).toBe('RETIRED');
    expect(await statusOf(old.kid)).toBe('RETIRING');
    expect((await listPublishedKeys()).map((k) => k.kid).sort()).toEqual([now.kid, old.kid].sort());
  });
});

async function statusOf(kid: string) {
  return (await db().signingKey.findUniqueOrThrow({ where: { id: kid }, select: { status: true } })).status;
}

/** Moves a NEXT key's takeover into the past (instead of waiting LEASH_JWKS_MAX_AGE). */
async function takeOverNow(kid: string) {
  await db().signingKey.update({ where: { id: kid }, data: { activateAt: new Date(Date.now() - 1000) } });
  resetSigningKeyCache();
}
