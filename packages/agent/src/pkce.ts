// PKCE (RFC 7636) with S256 only (OAuth 2.1 §4.1.1), and `state` (RFC 6749 §10.12).
import { base64url } from './dpop.js';

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomToken(32);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return { verifier, challenge };
}
