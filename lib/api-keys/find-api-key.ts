// Looks a presented API key up by its hash. A string that is not a checksum-valid `lsh_ak_` key
// never reaches the database (lib/tokens/opaque-token.ts). Read from the database every time, as
// refresh tokens are: a key is exchanged once per access token, not once per call.
import 'server-only';
import { db } from '@/lib/db/client';
import { hashToken, isWellFormedToken, TOKEN_PREFIX } from '@/lib/tokens/opaque-token';

export async function findApiKey(presented: string) {
  if (!isWellFormedToken(presented, TOKEN_PREFIX.apiKey)) return null;
  return db().apiKey.findUnique({
    where: { keyHash: hashToken(presented) },
    include: { agent: { select: { clientId: true, status: true } }, user: { select: { status: true } } },
  });
}

export type FoundApiKey = NonNullable<Awaited<ReturnType<typeof findApiKey>>>;
