// redeemOnce on the real database, with an authorization request's code as the credential: of two
// concurrent redemptions exactly one wins and the other is a replay, whether the claim runs first
// or inside the issuing transaction; a failed attempt burns the credential only when asked to.
import crypto from 'node:crypto';
import { createTestAuthorizationRequest } from '../../tests/support/authorization-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, db } from '@/lib/db/client';
import { claimCode } from '@/lib/oauth/authorization-request-states';
import { redeemOnce } from '@/lib/tokens/redeem-once';

afterAll(closeDb);

let agentId: string;

beforeAll(async () => {
  agentId = (await db().agent.create({ data: { clientId: `redeem-${crypto.randomUUID()}`, name: 'Redeem test agent', registration: 'DCR' }, select: { id: true } })).id;
});

const approvedRequest = () => createTestAuthorizationRequest(agentId, 'APPROVED');

/** One redemption: 'issued' when it won, 'replayed' when it lost; the issuing transaction holds its lock a while. */
function redemption(id: string, when: 'first' | 'with-issue', options: { fail?: boolean; burnOnFailure?: boolean; databaseFails?: boolean } = {}) {
  return redeemOnce({
    when,
    burnOnFailure: options.burnOnFailure,
    claim: (q) => claimCode(q, { id, now: new Date() }),
    onReplay: async () => 'replayed' as const,
    redeem: async (claimIn) => {
      if (options.fail) throw new Error('validation failed');
      return db().$transaction(async (tx) => {
        await claimIn(tx);
        // The database fails the issuing transaction: its statement runs past statement_timeout (57014).
        if (options.databaseFails) await tx.$executeRawUnsafe("SET LOCAL statement_timeout = '50ms'");
        await tx.$executeRaw`SELECT pg_sleep(${options.databaseFails ? 1 : 0.2})`;
        return 'issued' as const;
      });
    },
  });
}

describe('redeemOnce', () => {
  for (const when of ['with-issue', 'first'] as const) {
    it(`two concurrent redemptions: exactly one wins, the other is a replay (${when})`, async () => {
      const id = await approvedRequest();
      const results = await Promise.all([redemption(id, when), redemption(id, when)]);
      expect(results.sort()).toEqual(['issued', 'replayed']);
      expect(await redemption(id, when)).toBe('replayed');
    });
  }

  it('a failed attempt burns the credential when asked to (single use), so the next one is a replay', async () => {
    const id = await approvedRequest();
    await expect(redemption(id, 'with-issue', { fail: true, burnOnFailure: true })).rejects.toThrow('validation failed');
    expect(await redemption(id, 'with-issue')).toBe('replayed');
  });

  it('a failed attempt leaves the credential usable when not asked to burn it', async () => {
    const id = await approvedRequest();
    await expect(redemption(id, 'with-issue', { fail: true })).rejects.toThrow('validation failed');
    expect(await redemption(id, 'with-issue')).toBe('issued');
  });

  it('a failure of the database does not burn the credential: the client was told 503, and its retry redeems it (issue 19)', async () => {
    const id = await approvedRequest();
    await expect(redemption(id, 'with-issue', { databaseFails: true, burnOnFailure: true })).rejects.toThrow(/statement timeout/);
    expect(await redemption(id, 'with-issue')).toBe('issued');
  });

  it('a redemption that failed after another had won is a replay too', async () => {
    const id = await approvedRequest();
    expect(await redemption(id, 'with-issue')).toBe('issued');
    expect(await redemption(id, 'with-issue', { fail: true, burnOnFailure: true })).toBe('replayed');
  });

  it('refuses to issue without claiming (the credential would stay usable)', async () => {
    const id = await approvedRequest();
    const unclaimed = redeemOnce({ when: 'with-issue', claim: (q) => claimCode(q, { id, now: new Date() }), onReplay: async () => 'replayed', redeem: async () => 'issued' });
    await expect(unclaimed).rejects.toThrow('issued without claiming');
  });
});
