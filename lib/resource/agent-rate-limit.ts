// Per-agent rate limit and daily quota from the agent's policy, and a per-user ceiling across all
// of a user's agents (issue 4, step 5). Counted in memory per instance (the API's hot path);
// refusals are 429 with Retry-After and the RateLimit headers (draft-ietf-httpapi-ratelimit-headers).
import 'server-only';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { getConfig } from '@/lib/config/config';

// One counter per window; each key's own limit is compared after counting.
const perMinute = new RateLimiterMemory({ keyPrefix: 'api:minute', points: 1_000_000_000, duration: 60 });
const perDay = new RateLimiterMemory({ keyPrefix: 'api:day', points: 1_000_000_000, duration: 86_400 });

export type RateVerdict = { ok: true; headers: Record<string, string> } | { ok: false; reason: string; retryAfterSeconds: number; headers: Record<string, string> };

async function count(limiter: RateLimiterMemory, key: string, limit: number) {
  const res = await limiter.consume(key, 1);
  return { over: res.consumedPoints > limit, remaining: Math.max(0, limit - res.consumedPoints), reset: Math.ceil(res.msBeforeNext / 1000) };
}

export async function checkAgentRate(options: { agentId: string; userId: string | null; perMinuteLimit: number; perDayLimit: number }): Promise<RateVerdict> {
  const minute = await count(perMinute, `agent:${options.agentId}:${options.userId ?? '-'}`, options.perMinuteLimit);
  const headers = {
    'RateLimit-Policy': `${options.perMinuteLimit};w=60`,
    RateLimit: `limit=${options.perMinuteLimit}, remaining=${minute.remaining}, reset=${minute.reset}`,
  };
  if (minute.over) return { ok: false, reason: `rate limit of ${options.perMinuteLimit} calls per minute`, retryAfterSeconds: minute.reset, headers };
  const day = await count(perDay, `agent:${options.agentId}:${options.userId ?? '-'}`, options.perDayLimit);
  if (day.over) return { ok: false, reason: `daily quota of ${options.perDayLimit} calls`, retryAfterSeconds: day.reset, headers };
  if (options.userId) {
    const ceiling = getConfig().userRateLimitPerMinute;
    const user = await count(perMinute, `user:${options.userId}`, ceiling);
    if (user.over) return { ok: false, reason: `the account's ceiling of ${ceiling} calls per minute across agents`, retryAfterSeconds: user.reset, headers };
  }
  return { ok: true, headers };
}
