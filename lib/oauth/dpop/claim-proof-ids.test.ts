// The DPoP replay store under concurrency, on the real database: of many simultaneous claims of one
// proof id exactly one wins, whether they share a batch or not; distinct ids all win.
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { claimProofId } from './claim-proof-ids';
import { closeDb, db } from '@/lib/db/client';

afterAll(closeDb);

const later = () => new Date(Date.now() + 60_000);

describe('claimProofId', () => {
  it('lets exactly one of twenty concurrent claims of one id win', async () => {
    const id = crypto.randomBytes(32).toString('hex');
    const results = await Promise.all(Array.from({ length: 20 }, () => claimProofId(id, later())));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db().usedDpopProof.count({ where: { id } })).toBe(1);
    expect(await claimProofId(id, later())).toBe(false);
  });

  it('stores distinct ids claimed together', async () => {
    const ids = Array.from({ length: 50 }, () => crypto.randomBytes(32).toString('hex'));
    expect(await Promise.all(ids.map((id) => claimProofId(id, later())))).toEqual(ids.map(() => true));
    expect(await db().usedDpopProof.count({ where: { id: { in: ids } } })).toBe(50);
  });
});
