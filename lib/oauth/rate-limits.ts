// Request limits for the machine-to-machine endpoints (DECISIONS 9): per client IP and, once the
// client is known, per client. In memory: these endpoints are the hot path, and a database write
// per request would cost more than the request itself (the limits are per instance; tune them
// with the number of instances). Refusals are 429 with Retry-After.
import 'server-only';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { getConfig } from '@/lib/config/config';
import { OAuthError } from '@/lib/oauth/errors';

type Limiters = { tokenIp: RateLimiterMemory; tokenClient: RateLimiterMemory; registerIp: RateLimiterMemory };

let limiters: Limiters | undefined;

function getLimiters(): Limiters {
  const { oauthLimits } = getConfig();
  limiters ??= {
    tokenIp: new RateLimiterMemory({ keyPrefix: 'token:ip', points: oauthLimits.tokenPerIpPerMinute, duration: 60 }),
    tokenClient: new RateLimiterMemory({ keyPrefix: 'token:client', points: oauthLimits.tokenPerClientPerMinute, duration: 60 }),
    registerIp: new RateLimiterMemory({ keyPrefix: 'register:ip', points: oauthLimits.registerPerIpPerHour, duration: 3600 }),
  };
  return limiters;
}

async function consume(limiter: RateLimiterMemory, key: string, what: string) {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    // RFC 6585 §4 (429) with Retry-After; `slow_down` is the OAuth code for "ask less often" (RFC 8628 §3.5).
    throw new OAuthError('slow_down', `Too many ${what}. Retry after ${seconds} seconds.`, {
      status: 429,
      headers: { 'Retry-After': String(seconds) },
    });
  }
}

export const limitTokenRequestByIp = (ip: string) => consume(getLimiters().tokenIp, ip, 'token requests from this address');
export const limitTokenRequestByClient = (clientId: string) =>
  consume(getLimiters().tokenClient, clientId, 'token requests for this client');
export const limitRegistrationByIp = (ip: string) => consume(getLimiters().registerIp, ip, 'registrations from this address');
