// Sign-ups are limited per client IP (every attempt counts), against scripted mass registration.
import 'server-only';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { getConfig } from '@/lib/config/config';
import { postgresLimiter } from '@/lib/http/postgres-limiter';

const WINDOW_SECONDS = 3600;

let limiter: RateLimiterPostgres | undefined;

/** Counts one sign-up attempt; null when allowed, else the seconds until the next is. */
export async function consumeSignUpAttempt(ip: string): Promise<number | null> {
  limiter ??= postgresLimiter({ keyPrefix: 'signup:ip', points: getConfig().signUpIpLimit, duration: WINDOW_SECONDS });
  try {
    await limiter.consume(ip);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw rejection;
  }
}
