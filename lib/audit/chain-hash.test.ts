// The chain's formulas, on their own: a v2 link is checkable from its digest alone, a v1 hash
// needs the content, and both notice a changed record.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, expectedHash, linkHash, recordDigest, v1Hash } from './chain-hash';

const record = {
  id: 7n,
  chainSeq: 3n,
  createdAt: new Date('2026-12-05T10:00:00.000Z'),
  action: 'token.issue',
  decision: 'ALLOW',
  scopes: ['a', 'b'],
  details: { b: 1, a: [true, null] },
  userId: null,
};

describe('the audit chain hashes', () => {
  it('write canonical JSON: keys sorted at every depth, dates as ISO strings, the same from a record and from its JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [new Date(0)] } })).toBe('{"a":{"c":["1970-01-01T00:00:00.000Z"],"d":2},"b":1}');
    const { id: _id, chainSeq: _seq, ...content } = record;
    expect(recordDigest(JSON.parse(JSON.stringify(content)))).toBe(recordDigest(record));
  });

  it('v2: the hash follows from the digest and the previous hash; a changed record, digest or link changes it', () => {
    const previous = `v2:${'0'.repeat(64)}`;
    const hash = linkHash(recordDigest(record), previous);
    expect(hash).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(expectedHash({ ...record, prevHash: previous, hash })).toBe(hash);
    expect(expectedHash({ ...record, decision: 'DENY', prevHash: previous, hash })).not.toBe(hash);
    expect(linkHash(recordDigest(record), null)).not.toBe(hash);
    // The id and the place in the chain are not content: an export may carry them separately.
    expect(recordDigest({ ...record, id: 8n, chainSeq: 9n })).toBe(recordDigest(record));
  });

  it('v1 records (sealed before v2) still verify with their whole content', () => {
    const sealed = { ...record, prevHash: 'abc' };
    const hash = v1Hash(sealed);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(expectedHash({ ...sealed, hash })).toBe(hash);
    expect(expectedHash({ ...sealed, reason: 'changed', hash })).not.toBe(hash);
  });

  it('digest a stored record exactly as before (chains sealed by earlier versions still verify)', () => {
    // Computed by the first implementation (Object.entries, filter, sort, map, join).
    const stored = {
      ...record,
      amount: 12n,
      details: { b: 1, a: [true, null], é: 'x', Z: undefined, nested: { '\u2028': '"q"\\' } },
      hash: 'h',
      prevHash: 'p',
      chainId: 2,
    };
    expect(recordDigest(stored)).toBe('87231feed2786cff8515e51b6053f54b951686edb5325e197e6ce494d1498a53');
  });

  it('write the same text as the plain definition, on random values', () => {
    // The definition, written plainly: the fast one must agree with it on anything a record holds.
    const plain = (value: unknown): string => {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (typeof value === 'bigint') return JSON.stringify(value.toString());
      if (Array.isArray(value)) return `[${value.map(plain).join(',')}]`;
      if (value && typeof value === 'object') {
        const entries = Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${plain(v)}`).join(',')}}`;
      }
      return JSON.stringify(value ?? null);
    };
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const keys = ['a', 'B', 'b', 'é', '\u{1F600}', 'Z', '', '10', '9', 'a b', '"', '\u2028'];
    const make = (depth: number): unknown => {
      const kind = Math.floor(random() * (depth > 3 ? 7 : 9));
      switch (kind) {
        case 0:
          return null;
        case 1:
          return undefined;
        case 2:
          return random() < 0.5;
        case 3:
          return [0, -1.5, 1e21, 2 ** 53, Number.NaN, -0][Math.floor(random() * 6)];
        case 4:
          return keys[Math.floor(random() * keys.length)]! + String.fromCharCode(Math.floor(random() * 0x3000));
        case 5:
          return BigInt(Math.floor(random() * 1e9)) * 1_000_000_007n;
        case 6:
          return new Date(Math.floor(random() * 4e12));
        case 7:
          return Array.from({ length: Math.floor(random() * 4) }, () => make(depth + 1));
        default:
          return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [keys[Math.floor(random() * keys.length)]!, make(depth + 1)]));
      }
    };
    for (let i = 0; i < 2000; i++) {
      const value = make(0);
      expect(canonicalJson(value)).toBe(plain(value));
    }
    const sample = { ...record, details: make(1) };
    const { id: _id, chainSeq: _seq, ...content } = sample;
    expect(recordDigest(sample)).toBe(crypto.createHash('sha256').update(plain(content)).digest('hex'));
  });
});
