// Rotation (lib/keys/key-timeline.ts): a new key is published at once as NEXT and takes over after
// the JWKS max-age, when every verifier's cached key set has been fetched again; the key it replaces
// then stops signing but stays published for the grace period and until every access token it
// signed has expired. One locked transaction; a rotation already under way is returned as it is.
// `immediate` (a key that must stop signing now, or an encryption key that changed) makes the new
// key ACTIVE at once: verifiers holding a cached key set refetch it on the unknown `kid`.
import 'server-only';
import { db } from '@/lib/db/client';
import { createSigningKey, lockSigningKeys, promoteDueKey, resetSigningKeyCache } from '@/lib/keys/ensure-signing-key';
import { DEFAULT_GRACE_SECONDS, nextKeyLeadMs } from '@/lib/keys/key-timeline';

export type Rotation = {
  /** The new key's `kid`. */
  kid: string;
  /** When it starts signing (now, for an immediate rotation). */
  activateAt: Date;
  /** The keys it replaces: published until their grace period is over and their tokens have expired. */
  replaced: string[];
};

export async function rotateSigningKey(options: { graceSeconds?: number; immediate?: boolean } = {}): Promise<Rotation> {
  const grace = Math.max(0, options.graceSeconds ?? DEFAULT_GRACE_SECONDS);
  const result = await db().$transaction(async (tx) => {
    await lockSigningKeys(tx);
    await promoteDueKey(tx);
    const pending = await tx.signingKey.findFirst({ where: { status: 'NEXT' } });
    const current = await tx.signingKey.findMany({ where: { status: 'ACTIVE' }, select: { id: true } });
    if (pending && !options.immediate) return { kid: pending.id, activateAt: pending.activateAt!, replaced: current.map((k) => k.id) };
    const now = new Date();
    const activateAt = new Date(now.getTime() + (options.immediate ? 0 : nextKeyLeadMs()));
    // A NEXT key passed over by an immediate rotation never signed: it leaves the key set.
    if (pending) await tx.signingKey.update({ where: { id: pending.id }, data: { status: 'RETIRED', retireAt: now } });
    // The replaced key learns its floor now; promotion turns it RETIRING (and never retires it
    // sooner than an instance that missed the takeover could still sign with it).
    await tx.signingKey.updateMany({ where: { status: 'ACTIVE' }, data: { retireAt: new Date(activateAt.getTime() + grace * 1000) } });
    const kid = await createSigningKey(tx, { activateAt });
    if (options.immediate) await promoteDueKey(tx, activateAt);
    return { kid, activateAt, replaced: current.map((k) => k.id) };
  });
  resetSigningKeyCache();
  return result;
}
