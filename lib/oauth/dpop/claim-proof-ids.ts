// The DPoP replay store's write (RFC 9449 §11.1), group-committed: concurrent proofs are claimed in
// one INSERT … ON CONFLICT DO NOTHING, whose primary key still decides which claim of an id wins
// (also between instances). A proof is accepted only once its claim has committed. Within one
// batch a repeated id is answered as a replay without asking the database twice.
import 'server-only';
import { dbPool } from '@/lib/db/client';
import { groupCommit } from '@/lib/db/group-commit';

type Claim = { id: string; expiresAt: Date };

const claim = groupCommit<Claim, boolean>('dpop-proofs', { maxBatch: 256, writers: 3 }, async (batch) => {
  const distinct = [...new Map(batch.map((c) => [c.id, c])).values()];
  // A named statement: parsed and planned once per connection, not once per batch.
  const { rows } = await dbPool().query<{ id: string }>({
    name: 'leash-claim-dpop-proofs',
    text: `INSERT INTO used_dpop_proofs (id, expires_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    values: [distinct.map((c) => c.id), distinct.map((c) => c.expiresAt)],
  });
  // Of several claims of one id in a batch, only the first can have stored it.
  const stored = new Set(rows.map((r) => r.id));
  return batch.map((c) => {
    const won = stored.delete(c.id);
    return { ok: true as const, value: won };
  });
});

/** True when this call stored the id first; false when it was already used. */
export function claimProofId(id: string, expiresAt: Date): Promise<boolean> {
  return claim({ id, expiresAt });
}
