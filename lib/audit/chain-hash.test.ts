// The chain's formulas, on their own: a v2 link is checkable from its digest alone, a v1 hash
// needs the content, and both notice a changed record.
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
});
