// Failed sign-ins are limited per account and per client IP (DECISIONS 9), with counters in
// PostgreSQL so that every app instance shares them. Only failures count; a success clears the
// account's counter. Unknown emails count too, so the limiter does not reveal which accounts exist.
import 'server-only';
import type { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { getConfig } from '@/lib/config/config';
import { postgresLimiter } from '@/lib/http/postgres-limiter';

type Limiters = { account: RateLimiterPostgres; ip: RateLimiterPostgres };

let limiters: Limiters | undefined;

function getLimiters(): Limiters {
  if (limiters) return limiters;
  const { signIn } = getConfig();
  limiters = {
    account: postgresLimiter({ keyPrefix: 'signin:account', points: signIn.accountLimit, duration: signIn.windowSeconds }),
    ip: postgresLimiter({ keyPrefix: 'signin:ip', points: signIn.ipLimit, duration: signIn.windowSeconds }),
  };
  return limiters;
}

export type SignInBlock = { blocked: false } | { blocked: true; retryAfterSeconds: number };

/** Whether the account or the IP has used up its failures for the current window. */
export async function checkSignInAllowed(email: string, ip: string): Promise<SignInBlock> {
  const { account, ip: byIp } = getLimiters();
  const [a, i] = await Promise.all([account.get(email), byIp.get(ip)]);
  const exhausted = [a && a.consumedPoints >= account.points ? a : null, i && i.consumedPoints >= byIp.points ? i : null].filter((r): r is RateLimiterRes => r !== null);
  if (exhausted.length === 0) return { blocked: false };
  const ms = Math.max(...exhausted.map((r) => r.msBeforeNext));
  return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) };
}

export async function recordSignInFailure(email: string, ip: string): Promise<void> {
  const { account, ip: byIp } = getLimiters();
  // `penalty` adds points without rejecting: the check above decides, so the failure that reaches
  // the limit still gets the generic message and only the next attempt is refused.
  await Promise.all([account.penalty(email, 1), byIp.penalty(ip, 1)]);
}

export async function clearAccountFailures(email: string): Promise<void> {
  await getLimiters().account.delete(email);
}
