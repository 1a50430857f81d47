// The signature on a secret scanning report, with real key pairs made by node:crypto: what
// verifies, what does not, and the replay id that a malleated copy of a signature cannot escape.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importScanningKey, parseDerSignature, readSignatureHeaders, signatureReplayId, verifyScanningSignature } from './scanning-signature';

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function p256() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

const sign = (body: string, privateKey: crypto.KeyObject) => crypto.sign('sha256', Buffer.from(body), { key: privateKey, dsaEncoding: 'der' });

function der(r: bigint, s: bigint): Buffer {
  const int = (v: bigint) => {
    let hex = v.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let bytes = Buffer.from(hex, 'hex');
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const content = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, content.length]), content]);
}

const body = '[{"source":"commit","token":"lsh_at_x","type":"leash_access_token","url":"https://github.com/o/r/blob/c/.env"}]';

describe('verifyScanningSignature', () => {
  const { privateKey, pem } = p256();
  const key = importScanningKey(pem)!;

  it('accepts the key’s ECDSA P-256 / SHA-256 signature over the exact bytes', () => {
    expect(verifyScanningSignature(Buffer.from(body), sign(body, privateKey), key)).toBe(true);
  });

  it('refuses another key’s signature, a changed body (even one space), and garbage', () => {
    const other = p256();
    expect(verifyScanningSignature(Buffer.from(body), sign(body, other.privateKey), key)).toBe(false);
    expect(verifyScanningSignature(Buffer.from(body.replace('","', '", "')), sign(body, privateKey), key)).toBe(false);
    expect(verifyScanningSignature(Buffer.from(`${body}\n`), sign(body, privateKey), key)).toBe(false);
    expect(verifyScanningSignature(Buffer.from(body), Buffer.from('not a signature'), key)).toBe(false);
    expect(verifyScanningSignature(Buffer.from(body), Buffer.alloc(0), key)).toBe(false);
  });

  it('gives a malleated copy (r, n - s) the same replay id as the original, and other signatures other ids', () => {
    const signature = sign(body, privateKey);
    const { r, s } = parseDerSignature(signature)!;
    const malleated = der(r, N - s);
    // ECDSA itself accepts both: only the replay id stops the copy.
    expect(verifyScanningSignature(Buffer.from(body), malleated, key)).toBe(true);
    expect(signatureReplayId('k1', malleated)).toBe(signatureReplayId('k1', signature));
    expect(signatureReplayId('k2', signature)).not.toBe(signatureReplayId('k1', signature));
    expect(signatureReplayId('k1', sign(body, privateKey))).not.toBe(signatureReplayId('k1', signature)); // a fresh signature, a fresh nonce
  });

  it('parses only DER SEQUENCE { r, s } with both in [1, n - 1]', () => {
    expect(parseDerSignature(der(1n, 1n))).toEqual({ r: 1n, s: 1n });
    expect(parseDerSignature(der(0n, 1n))).toBeNull();
    expect(parseDerSignature(der(1n, N))).toBeNull();
    expect(parseDerSignature(Buffer.concat([der(1n, 2n), Buffer.from([0])]))).toBeNull();
    expect(parseDerSignature(Buffer.from([0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]))).toBeNull(); // negative r
    expect(signatureReplayId('k', Buffer.from('xyz'))).toBeNull();
  });
});

describe('importScanningKey', () => {
  it('takes a P-256 public key and nothing else', () => {
    expect(importScanningKey(p256().pem)?.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const ed = crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    for (const pem of [p384, rsa, ed, 'not a key', '']) expect(importScanningKey(pem)).toBeNull();
  });
});

describe('readSignatureHeaders', () => {
  const signature = sign(body, p256().privateKey).toString('base64');
  const headers = (h: Record<string, string>) => new Headers(h);

  it('reads the key id and the base64 signature, whatever the header names’ case', () => {
    const read = readSignatureHeaders(headers({ 'GITHUB-PUBLIC-KEY-IDENTIFIER': 'bcb53661c06b', 'Github-Public-Key-Signature': signature }));
    expect(read?.keyId).toBe('bcb53661c06b');
    expect(read?.signature.toString('base64')).toBe(signature);
  });

  it('refuses missing, empty, oversized or non-base64 values', () => {
    const cases: Record<string, string>[] = [
      {},
      { 'Github-Public-Key-Identifier': 'k' },
      { 'Github-Public-Key-Signature': signature },
      { 'Github-Public-Key-Identifier': '', 'Github-Public-Key-Signature': signature },
      { 'Github-Public-Key-Identifier': 'k k', 'Github-Public-Key-Signature': signature },
      { 'Github-Public-Key-Identifier': 'k'.repeat(257), 'Github-Public-Key-Signature': signature },
      { 'Github-Public-Key-Identifier': 'k', 'Github-Public-Key-Signature': `${signature}!` },
      { 'Github-Public-Key-Identifier': 'k', 'Github-Public-Key-Signature': 'A'.repeat(204) },
    ];
    for (const h of cases) {
      expect(readSignatureHeaders(headers(h)), JSON.stringify(h)).toBeNull();
    }
  });
});
