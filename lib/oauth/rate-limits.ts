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

async function consume(limiter: RateLimiterMemory, key: string, what: string, code: 'slow_down' | 'temporarily_unavailable' = 'slow_down') {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    // RFC 6585 §4 (429) with Retry-After; `slow_down` is the OAuth code for "ask less often" (RFC 8628 §3.5).
    throw new OAuthError(code, `Too many ${what}. Retry after ${seconds} seconds.`, {
      status: 429,
      headers: { 'Retry-After': String(seconds) },
    });
  }
}

export const limitTokenRequestByIp = (ip: string) => consume(getLimiters().tokenIp, ip, 'token requests from this address');
export const limitTokenRequestByClient = (clientId: string) => consume(getLimiters().tokenClient, clientId, 'token requests for this client');
// RFC 7591 §3.2.2 defines no error for "too many registrations", and `slow_down` is a device-flow
// token error (RFC 8628 §3.5) registration clients do not know. `temporarily_unavailable` (RFC 6749
// §4.1.2.1, "the server is currently unable to handle the request") is the registered OAuth code
// clients map to "try again later" (the MCP SDK's TemporarilyUnavailableError); Retry-After says when.
export const limitRegistrationByIp = (ip: string) => consume(getLimiters().registerIp, ip, 'registrations from this address', 'temporarily_unavailable');
