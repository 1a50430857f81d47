// The signature on a secret scanning report (GitHub's secret scanning partner program,
// docs/secret-scanning.md): `Github-Public-Key-Signature` is ECDSA over NIST P-256 with SHA-256
// ("ECDSA-NIST-P256V1-SHA256"), computed over the raw body exactly as sent, DER-encoded (SEC 1
// §C.5: SEQUENCE { INTEGER r, INTEGER s }) and base64-encoded; `Github-Public-Key-Identifier`
// names the key among the published ones. Pure functions: the keys are found by scanning-keys.ts.
import 'server-only';
import crypto from 'node:crypto';

/** The order of P-256's base point (FIPS 186-4 §D.1.2.3): r and s lie in [1, n - 1]. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

const KEY_ID = /^[A-Za-z0-9._:+/=-]{1,256}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type SignatureHeaders = { keyId: string; signature: Buffer };

/** The two headers, or null when either is missing or not what the program sends. */
export function readSignatureHeaders(headers: Headers): SignatureHeaders | null {
  const keyId = headers.get('github-public-key-identifier')?.trim();
  const signature = headers.get('github-public-key-signature')?.trim();
  if (!keyId || !signature || !KEY_ID.test(keyId) || signature.length > 200 || !BASE64.test(signature)) return null;
  return { keyId, signature: Buffer.from(signature, 'base64') };
}

/** r and s of a DER-encoded ECDSA P-256 signature, or null if it is not one. */
export function parseDerSignature(der: Buffer): { r: bigint; s: bigint } | null {
  // SEQUENCE of two INTEGERs, short-form lengths: a P-256 signature is at most 72 bytes.
  if (der.length < 8 || der.length > 72 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const values: bigint[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    const length = der[at + 1];
    if (der[at] !== 0x02 || length === undefined || length < 1 || length > 33 || at + 2 + length > der.length) return null;
    const bytes = der.subarray(at + 2, at + 2 + length);
    if (bytes[0]! & 0x80) return null; // negative
    values.push(BigInt(`0x${bytes.toString('hex')}`));
    at += 2 + length;
  }
  const [r, s] = values as [bigint, bigint];
  if (at !== der.length || r < 1n || s < 1n || r >= P256_ORDER || s >= P256_ORDER) return null;
  return { r, s };
}

/**
 * The replay guard's id for a signature. ECDSA signatures are malleable: (r, n - s) verifies
 * whenever (r, s) does, so a replay with the other s would pass a guard keyed on the bytes. The id
 * takes the lower of the two s values, so both forms (and any re-encoding) are the same report.
 */
export function signatureReplayId(keyId: string, der: Buffer): string | null {
  const parsed = parseDerSignature(der);
  if (!parsed) return null;
  const lowS = parsed.s > P256_ORDER / 2n ? P256_ORDER - parsed.s : parsed.s;
  return crypto
    .createHash('sha256')
    .update(`${keyId}\0${parsed.r.toString(16)}\0${lowS.toString(16)}`)
    .digest('hex');
}

/** A P-256 public key from its PEM (SPKI), or null for anything else. */
export function importScanningKey(pem: string): crypto.KeyObject | null {
  try {
    const key = crypto.createPublicKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
  } catch {
    return null;
  }
}

/** Whether `signature` (DER) is the key's ECDSA P-256 / SHA-256 signature of the raw body. */
export function verifyScanningSignature(body: Uint8Array, signature: Buffer, key: crypto.KeyObject): boolean {
  if (!parseDerSignature(signature)) return false;
  try {
    return crypto.verify('sha256', body, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
