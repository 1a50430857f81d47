// DPoP (RFC 9449): a P-256 key the agent proves possession of on every request, so a copied access
// or refresh token is useless without it. Generated non-extractable by default (WebCrypto: the
// private half can sign but can never be read out, not even by this process). Proofs follow §4.2;
// server nonces (§8, §9) are remembered per origin, per agent instance (no global state).
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose';

const encoder = new TextEncoder();

export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function sha256Base64url(text: string): Promise<string> {
  return base64url(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** §4.2 htu: the request URI without query and fragment. */
export function htuOf(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

export class DpopKey {
  private constructor(
    readonly keyPair: CryptoKeyPair,
    readonly publicJwk: JWK,
    /** The key's JWK SHA-256 thumbprint (RFC 7638), the `cnf.jkt` bound tokens carry (§6.1). */
    readonly thumbprint: string,
  ) {}

  /** A fresh ES256 key; `extractable: false` (the default) keeps the private half inside WebCrypto. */
  static async generate(options: { extractable?: boolean } = {}): Promise<DpopKey> {
    const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, options.extractable ?? false, ['sign', 'verify'])) as CryptoKeyPair;
    return DpopKey.fromKeyPair(keyPair);
  }

  static async fromKeyPair(keyPair: CryptoKeyPair): Promise<DpopKey> {
    const { kty, crv, x, y } = await exportJWK(keyPair.publicKey);
    const publicJwk = { kty, crv, x, y } as JWK;
    return new DpopKey(keyPair, publicJwk, await calculateJwkThumbprint(publicJwk, 'sha256'));
  }

  /** Imports a stored private JWK (P-256) as a non-extractable signing key. */
  static async fromPrivateJwk(jwk: JsonWebKey): Promise<DpopKey> {
    const privateKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const { kty, crv, x, y } = jwk;
    const publicKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y }, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    return DpopKey.fromKeyPair({ privateKey, publicKey });
  }

  /** A proof for one request (§4.2): `ath` binds it to the access token sent with it (resource server). */
  async proof(options: { method: string; url: string; accessToken?: string; nonce?: string }): Promise<string> {
    const claims: Record<string, unknown> = { htm: options.method.toUpperCase(), htu: htuOf(options.url), jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000) };
    if (options.nonce) claims.nonce = options.nonce;
    if (options.accessToken) claims.ath = await sha256Base64url(options.accessToken);
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: this.publicJwk }).sign(this.keyPair.privateKey);
  }
}

/** The latest `DPoP-Nonce` each origin gave (§8 authorization server, §9 resource server). */
export class DpopNonces {
  private readonly byOrigin = new Map<string, string>();

  get(url: string): string | undefined {
    return this.byOrigin.get(new URL(url).origin);
  }

  /** Remembers the nonce a response carries; answers whether it carried one. */
  remember(url: string, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce');
    if (!nonce) return false;
    this.byOrigin.set(new URL(url).origin, nonce);
    return true;
  }
}
