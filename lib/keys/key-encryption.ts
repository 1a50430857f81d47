// Secrets stored encrypted (AES-256-GCM) with LEASH_ENCRYPTION_KEY: private signing keys, TOTP
// secrets. The owner's id (a key id, a user id) is authenticated data, so a ciphertext copied onto
// another row does not decrypt.
import 'server-only';
import crypto from 'node:crypto';
import { getConfig } from '@/lib/config/config';

export function sealSecret(owner: string, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', getConfig().encryptionKey, iv);
  cipher.setAAD(Buffer.from(owner));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

export function openSecret(owner: string, sealed: string): string {
  const [iv, ciphertext, tag] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !ciphertext || !tag) throw new Error(`secret of ${owner}: malformed ciphertext`);
  // The full 16-byte tag only: Node would otherwise accept a truncated (weaker) one.
  if (tag.length !== 16) throw new Error(`secret of ${owner}: malformed authentication tag`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', getConfig().encryptionKey, iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(owner));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

export function encryptPrivateJwk(kid: string, jwk: object): string {
  return sealSecret(kid, JSON.stringify(jwk));
}

export function decryptPrivateJwk(kid: string, sealed: string): crypto.JsonWebKey {
  return JSON.parse(openSecret(kid, sealed));
}
