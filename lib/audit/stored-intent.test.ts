import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storedIntent } from './stored-intent';

const sha = (text: string) => `sha256:${crypto.createHash('sha256').update(text).digest('hex')}`;
const privacy = (intentStorage: 'OFF' | 'HASHED' | 'FULL', intentRetentionDays = 30) => ({ intentStorage, intentRetentionDays });

describe('storedIntent', () => {
  const intent = 'Summarise Q3 revenue for the board';
  const now = new Date('2026-11-24T10:00:00Z');
  it('follows the privacy setting: off, hash only, or the text until the retention ends', () => {
    expect(storedIntent(intent, privacy('OFF'))).toBeNull();
    expect(storedIntent(intent, privacy('HASHED'))).toEqual({ hash: sha(intent), text: null });
    expect(storedIntent(intent, privacy('FULL', 7), now)).toEqual({
      hash: sha(intent),
      text: { text: intent, purgeAfter: new Date('2026-12-01T10:00:00Z') },
    });
  });
  it('hashes by default (no user: an agent acting as itself)', () => {
    expect(storedIntent(intent, null)).toEqual({ hash: sha(intent), text: null });
  });
  it('stores nothing for a missing or blank header', () => {
    expect(storedIntent(null, privacy('FULL'))).toBeNull();
    expect(storedIntent('   ', privacy('FULL'))).toBeNull();
  });
  it('bounds the size and removes control characters', () => {
    expect(storedIntent('a\u0000b\nc', privacy('FULL'))?.text?.text).toBe('a b c');
    expect(storedIntent('x'.repeat(5000), privacy('FULL'))?.text?.text).toHaveLength(2000);
  });
});
