// The person's side of the device flow (RFC 8628 §3.3): the code they typed leads to the pending
// request's consent screen. Wrong codes are limited per user and per client address (§5.1: user
// codes are short, so guessing must be slow), with counters in PostgreSQL shared by all instances.
import 'server-only';
import { db } from '@/lib/db/client';
import { postgresLimiter } from '@/lib/http/postgres-limiter';
import { normalizeUserCode } from '@/lib/oauth/user-code';

const WRONG_CODES = 10;
const WINDOW_SECONDS = 15 * 60;

let limiter: ReturnType<typeof postgresLimiter> | undefined;
const guesses = () => (limiter ??= postgresLimiter({ keyPrefix: 'device:wrong-code', points: WRONG_CODES, duration: WINDOW_SECONDS }));

export type DeviceLookup = { kind: 'found'; requestId: string } | { kind: 'invalid' } | { kind: 'blocked'; retryAfterSeconds: number };

export async function findDeviceRequest(options: { typed: string; userId: string; ip: string }): Promise<DeviceLookup> {
  const keys = [`user:${options.userId}`, `ip:${options.ip}`];
  const used = await Promise.all(keys.map((k) => guesses().get(k)));
  const exhausted = used.filter((r) => r && r.consumedPoints >= WRONG_CODES);
  if (exhausted.length) return { kind: 'blocked', retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...exhausted.map((r) => r!.msBeforeNext)) / 1000)) };
  const code = normalizeUserCode(options.typed);
  const request = code
    ? await db().authorizationRequest.findFirst({
        where: { userCode: code, status: 'PENDING', expiresAt: { gt: new Date() }, deviceCodeHash: { not: null } },
        select: { id: true },
      })
    : null;
  if (!request) {
    await Promise.all(keys.map((k) => guesses().penalty(k, 1)));
    return { kind: 'invalid' };
  }
  return { kind: 'found', requestId: request.id };
}
