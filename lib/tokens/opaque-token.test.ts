import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { base62, hashToken, isWellFormedToken, matchesHash, mintToken, TOKEN_PREFIX } from './opaque-token';

describe('opaque tokens', () => {
  it('have a readable prefix, 256 random bits in base62 and a checksum', () => {
    const token = mintToken(TOKEN_PREFIX.accessToken);
    expect(token).toMatch(/^lsh_at_[0-9A-Za-z]{49}$/);
    expect(isWellFormedToken(token, TOKEN_PREFIX.accessToken)).toBe(true);
    expect(isWellFormedToken(token, TOKEN_PREFIX.refreshToken)).toBe(false);
  });

  it('give API keys their own prefix, never taken for an access token (docs/api-keys.md)', () => {
    const key = mintToken(TOKEN_PREFIX.apiKey);
    expect(key).toMatch(/^lsh_ak_[0-9A-Za-z]{49}$/);
    expect(isWellFormedToken(key, TOKEN_PREFIX.apiKey)).toBe(true);
    expect(isWellFormedToken(key, TOKEN_PREFIX.accessToken)).toBe(false);
    // The same body and checksum behind another prefix fails the checksum: the prefix is under it.
    expect(isWellFormedToken(key.replace('lsh_ak_', 'lsh_at_'), TOKEN_PREFIX.accessToken)).toBe(false);
  });

  it('are all different', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => mintToken(TOKEN_PREFIX.refreshToken)));
    expect(tokens.size).toBe(1000);
  });

  it('reject a changed character through the checksum', () => {
    const token = mintToken(TOKEN_PREFIX.accessToken);
    const i = 20;
    const changed = token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1);
    expect(isWellFormedToken(changed, TOKEN_PREFIX.accessToken)).toBe(false);
    expect(isWellFormedToken(token.slice(0, -1), TOKEN_PREFIX.accessToken)).toBe(false);
    expect(isWellFormedToken(`${token}x`, TOKEN_PREFIX.accessToken)).toBe(false);
  });

  it('are compared by hash in constant time', () => {
    const token = mintToken(TOKEN_PREFIX.clientSecret);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(matchesHash(token, hashToken(token))).toBe(true);
    expect(matchesHash(`${token}x`, hashToken(token))).toBe(false);
    expect(matchesHash(token, null)).toBe(false);
  });

  it('write base62 exactly as one digit at a time would (the format of every token and checksum issued)', () => {
    const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const digitByDigit = (value: bigint, width: number) => {
      let out = '';
      for (let i = 0; i < width; i++, value /= 62n) out = ALPHABET[Number(value % 62n)] + out;
      return out;
    };
    const values = [0n, 1n, 61n, 62n, 62n ** 8n - 1n, 62n ** 8n, 62n ** 43n - 1n, 62n ** 43n, 2n ** 256n - 1n, 2n ** 32n - 1n];
    for (let i = 0; i < 2000; i++) values.push(BigInt(`0x${crypto.randomBytes(32).toString('hex')}`), BigInt(crypto.randomBytes(4).readUInt32BE()));
    for (const value of values) {
      expect(base62(value, 43)).toBe(digitByDigit(value, 43));
      expect(base62(value, 6)).toBe(digitByDigit(value, 6));
    }
    expect(base62(2n ** 256n - 1n, 43)).toHaveLength(43);
  });
});
