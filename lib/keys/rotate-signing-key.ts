// Rotation: the active key stops signing but stays in the JWKS for a grace period (so tokens it
// signed still verify), and a new key takes over; both in one locked transaction.
import 'server-only';
import { db } from '@/lib/db/client';
import { createSigningKey, lockSigningKeys, resetSigningKeyCache } from '@/lib/keys/ensure-signing-key';

export async function rotateSigningKey(options: { graceSeconds?: number } = {}): Promise<{ kid: string; retired: string[] }> {
  const grace = options.graceSeconds ?? 24 * 3600;
  const result = await db().$transaction(async (tx) => {
    await lockSigningKeys(tx);
    const current = await tx.signingKey.findMany({ where: { status: 'ACTIVE' }, select: { id: true } });
    await tx.signingKey.updateMany({
      where: { status: 'ACTIVE' },
      data: { status: 'RETIRING', retireAt: new Date(Date.now() + grace * 1000) },
    });
    return { kid: await createSigningKey(tx), retired: current.map((k) => k.id) };
  });
  resetSigningKeyCache();
  return result;
}
