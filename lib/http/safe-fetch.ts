// Fetching a URL an agent chose (its Client ID Metadata Document) without letting it reach inside
// our network (SSRF): https only; every address the name resolves to must be public (the check
// runs in the socket's own DNS lookup, so a second, different answer cannot slip through); no
// redirects; bounded time and size. Operators can allow exact host:port origins for development
// and tests (LEASH_CIMD_ALLOWLIST), which may then be plain http and loopback.
import 'server-only';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { getConfig } from '@/lib/config/config';

export class UnsafeFetchError extends Error {}

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv6');

export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return !BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * What can be checked before any DNS lookup: an allowlisted host:port (answers true: it may be
 * plain http and loopback), or else https with no literal non-public address. Throws otherwise;
 * names are checked again as they resolve (guardedLookup).
 */
export function checkTarget(url: URL, allowlist: string[]): boolean {
  if (allowlist.includes(url.host)) return true;
  if (url.protocol !== 'https:') throw new UnsafeFetchError('only https URLs can be called');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && !isPublicAddress(host)) throw new UnsafeFetchError('the URL points at a non-public address');
  return false;
}

const guardedLookup: typeof dns.lookup = ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => !isPublicAddress(a.address));
    if (bad || list.length === 0) return callback(new UnsafeFetchError(`${hostname} resolves to a non-public address`));
    if (options.all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}) as typeof dns.lookup;

/**
 * GETs a JSON document with the guard above. `allowlist`: the host:port origins that may be plain
 * http and loopback (default LEASH_CIMD_ALLOWLIST); `userAgent`: default `Leash-CIMD/1`.
 */
export async function safeFetchJson(
  rawUrl: string,
  options: { maxBytes: number; timeoutMs: number; allowlist?: string[]; userAgent?: string },
): Promise<{ status: number; body: unknown; cacheControl: string | null }> {
  const url = new URL(rawUrl);
  const allowlisted = checkTarget(url, options.allowlist ?? getConfig().cimdAllowlist);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise, rejectPromise) => {
    // Settle once; every later error (a destroyed socket) is swallowed rather than thrown.
    let settled = false;
    const resolve = (value: { status: number; body: unknown; cacheControl: string | null }) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolvePromise(value);
    };
    const reject = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      rejectPromise(error);
    };
    const request = client.request(
      url,
      {
        method: 'GET',
        headers: { Accept: 'application/json', 'User-Agent': options.userAgent ?? 'Leash-CIMD/1' },
        lookup: allowlisted ? undefined : guardedLookup,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          response.resume();
          return reject(new UnsafeFetchError('redirects are not followed'));
        }
        let size = 0;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            reject(new UnsafeFetchError(`the document is larger than ${options.maxBytes} bytes`));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          try {
            resolve({
              status,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
              cacheControl: response.headers['cache-control'] ?? null,
            });
          } catch {
            reject(new UnsafeFetchError('the document is not valid JSON'));
          }
        });
        response.on('error', reject);
      },
    );
    // One deadline for the whole exchange, not a socket idle timeout: that only measures silence,
    // and a server sending a byte now and then would hold the request (and the agent's
    // authorization request waiting on it) for as long as it liked.
    const deadline = setTimeout(() => {
      reject(new UnsafeFetchError(`no complete answer within ${options.timeoutMs} ms`));
      request.destroy();
    }, options.timeoutMs);
    request.on('error', reject);
    request.end();
  });
}

/**
 * POSTs a JSON body to a URL a user chose (an alert webhook), with the same guard: https only, every
 * resolved address public, no redirects, bounded time. `allowlist`: exact host:port origins that may
 * be plain http and loopback (LEASH_WEBHOOK_ALLOWLIST, development and tests). Answers the status.
 */
export async function safePostJson(rawUrl: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; allowlist: string[] }): Promise<number> {
  const answer = await post(rawUrl, body, { 'Content-Type': 'application/json', 'User-Agent': 'Leash-Webhook/1', ...headers }, { ...options, maxBytes: null });
  return answer.status;
}

/**
 * POSTs `body` (any type: `headers` names it; bytes for an encrypted Web Push message) to a URL a receiver chose (a Shared Signals stream's
 * endpoint, RFC 8935), with the same guard, and answers the status with the first `maxBytes` of
 * the answer's body (a receiver explains a refusal in it, RFC 8935 §2.3). The deadline covers the
 * whole exchange, body included.
 */
export async function safePost(
  rawUrl: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowlist: string[]; maxBytes: number },
): Promise<{ status: number; body: string }> {
  return post(rawUrl, body, headers, options);
}

/** `maxBytes: null`: answers at the status line and discards the body. */
async function post(
  rawUrl: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowlist: string[]; maxBytes: number | null },
): Promise<{ status: number; body: string }> {
  const url = new URL(rawUrl);
  const allowlisted = checkTarget(url, options.allowlist);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise, rejectPromise) => {
    let settled = false;
    const settle = () => {
      const first = !settled;
      settled = true;
      clearTimeout(deadline);
      return first;
    };
    const resolve = (answer: { status: number; body: string }) => void (settle() && resolvePromise(answer));
    const reject = (error: unknown) => void (settle() && rejectPromise(error));
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Length': Buffer.byteLength(body), ...headers },
        lookup: allowlisted ? undefined : guardedLookup,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (options.maxBytes === null) {
          response.resume();
          return resolve({ status, body: '' });
        }
        const limit = options.maxBytes;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < limit) chunks.push(chunk.subarray(0, limit - size));
          size += chunk.length;
        });
        response.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    // As above: silence is not the only way to hang; the whole exchange has the limit.
    const deadline = setTimeout(() => {
      reject(new UnsafeFetchError(`no complete answer within ${options.timeoutMs} ms`));
      request.destroy();
    }, options.timeoutMs);
    request.on('error', reject);
    request.end(body);
  });
}
