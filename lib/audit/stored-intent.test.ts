import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storedIntent } from './stored-intent';

describe('storedIntent', () => {
  const intent = 'Summarise Q3 revenue for the board';
  it('follows the privacy setting', () => {
    expect(storedIntent(intent, 'OFF')).toBeNull();
    expect(storedIntent(intent, 'FULL')).toBe(intent);
    expect(storedIntent(intent, 'HASHED')).toBe(`sha256:${crypto.createHash('sha256').update(intent).digest('hex')}`);
  });
  it('stores nothing for a missing or blank header', () => {
    expect(storedIntent(null, 'FULL')).toBeNull();
    expect(storedIntent('   ', 'FULL')).toBeNull();
  });
  it('bounds the size and removes control characters', () => {
    expect(storedIntent('a\u0000b\nc', 'FULL')).toBe('a b c');
    expect(storedIntent('x'.repeat(5000), 'FULL')).toHaveLength(2000);
  });
});
