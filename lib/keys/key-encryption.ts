// Private signing keys are stored encrypted (AES-256-GCM) with LEASH_ENCRYPTION_KEY. The key id is
// authenticated data, so a ciphertext copied onto another key's row does not decrypt.
import 'server-only';
import crypto from 'node:crypto';
import { getConfig } from '@/lib/config/config';

export function encryptPrivateJwk(kid: string, jwk: object): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', getConfig().encryptionKey, iv);
  cipher.setAAD(Buffer.from(kid));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

export function decryptPrivateJwk(kid: string, sealed: string): crypto.JsonWebKey {
  const [iv, ciphertext, tag] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !ciphertext || !tag) throw new Error(`signing key ${kid}: malformed ciphertext`);
  // The full 16-byte tag only: Node would otherwise accept a truncated (weaker) one.
  if (tag.length !== 16) throw new Error(`signing key ${kid}: malformed authentication tag`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', getConfig().encryptionKey, iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(tag);
  return JSON.parse(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8'));
}
