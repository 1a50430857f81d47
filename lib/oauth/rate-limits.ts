// Request limits for the machine-to-machine endpoints (DECISIONS 9): per client IP and, once the
// client is known, per client. In memory: these endpoints are the hot path, and a database write
// per request would cost more than the request itself (the limits are per instance; tune them
// with the number of instances). Refusals are 429 with Retry-After.
//
// Each limit is a fixed window per key (lib/http/window-limiter.ts), answered synchronously: the
// token endpoint asks two of them per request, and a promise each was most of their cost
// (docs/performance.md §5).
import 'server-only';
import { getConfig } from '@/lib/config/config';
import { OAuthError } from '@/lib/oauth/errors';
import { WindowLimiter, secondsToWait } from '@/lib/http/window-limiter';

type Limiters = { tokenIp: WindowLimiter; tokenClient: WindowLimiter; registerIp: WindowLimiter };

let limiters: Limiters | undefined;

function getLimiters(): Limiters {
  const { oauthLimits } = getConfig();
  limiters ??= {
    tokenIp: new WindowLimiter(oauthLimits.tokenPerIpPerMinute, 60),
    tokenClient: new WindowLimiter(oauthLimits.tokenPerClientPerMinute, 60),
    registerIp: new WindowLimiter(oauthLimits.registerPerIpPerHour, 3600),
  };
  return limiters;
}

function consume(limiter: WindowLimiter, key: string, what: string, code: 'slow_down' | 'temporarily_unavailable' = 'slow_down'): void {
  const waitMs = limiter.take(key);
  if (waitMs === null) return;
  const seconds = secondsToWait(waitMs);
  // RFC 6585 §4 (429) with Retry-After; `slow_down` is the OAuth code for "ask less often" (RFC 8628 §3.5).
  throw new OAuthError(code, `Too many ${what}. Retry after ${seconds} seconds.`, {
    status: 429,
    headers: { 'Retry-After': String(seconds) },
  });
}

/** Throws the 429 when this address asked for too many tokens this minute. */
export const limitTokenRequestByIp = (ip: string) => consume(getLimiters().tokenIp, ip, 'token requests from this address');
/** Throws the 429 when this client asked for too many tokens this minute. */
export const limitTokenRequestByClient = (clientId: string) => consume(getLimiters().tokenClient, clientId, 'token requests for this client');
// RFC 7591 §3.2.2 defines no error for "too many registrations", and `slow_down` is a device-flow
// token error (RFC 8628 §3.5) registration clients do not know. `temporarily_unavailable` (RFC 6749
// §4.1.2.1, "the server is currently unable to handle the request") is the registered OAuth code
// clients map to "try again later" (the MCP SDK's TemporarilyUnavailableError); Retry-After says when.
export const limitRegistrationByIp = (ip: string) => consume(getLimiters().registerIp, ip, 'registrations from this address', 'temporarily_unavailable');
