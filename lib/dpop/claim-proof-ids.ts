// The DPoP replay store's write (RFC 9449 §11.1), group-committed: concurrent proofs are claimed in
// one INSERT … ON CONFLICT DO NOTHING, whose primary key still decides which claim of an id wins
// (also between instances). A proof is accepted only once its claim has committed. Within one
// batch a repeated id is answered as a replay without asking the database twice.
import 'server-only';
import { dbPool } from '@/lib/db/client';

const MAX_BATCH = 256;
const WRITERS = 3;

type Claim = { id: string; expiresAt: Date; resolve: (claimed: boolean) => void; reject: (error: unknown) => void };
type State = { queue: Claim[]; writers: number };

const holder = globalThis as typeof globalThis & { leashDpopClaims?: State };

function state(): State {
  holder.leashDpopClaims ??= { queue: [], writers: 0 };
  return holder.leashDpopClaims;
}

/** True when this call stored the id first; false when it was already used. */
export function claimProofId(id: string, expiresAt: Date): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = state();
    s.queue.push({ id, expiresAt, resolve, reject });
    if (s.writers < WRITERS) void write();
  });
}

async function write(): Promise<void> {
  const s = state();
  s.writers++;
  try {
    while (s.queue.length) {
      const batch = s.queue.splice(0, MAX_BATCH);
      const first = new Map<string, Claim>();
      for (const claim of batch) {
        if (first.has(claim.id)) claim.resolve(false);
        else first.set(claim.id, claim);
      }
      const claims = [...first.values()];
      try {
        const { rows } = await dbPool().query<{ id: string }>(
          `INSERT INTO used_dpop_proofs (id, expires_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [claims.map((c) => c.id), claims.map((c) => c.expiresAt)],
        );
        const stored = new Set(rows.map((r) => r.id));
        for (const claim of claims) claim.resolve(stored.has(claim.id));
      } catch (error) {
        for (const claim of claims) claim.reject(error);
      }
    }
  } finally {
    s.writers--;
  }
}
