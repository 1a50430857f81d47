// The address ranges an API key may be exchanged from (docs/api-keys.md): CIDR blocks, IPv4
// (RFC 4632) or IPv6 (RFC 4291 §2.3), a bare address counting as a block of one. The client's
// address is the one the rest of the app uses (lib/http/client-ip.ts: the socket's peer, or the
// trusted proxy's X-Forwarded-For entry). Matching is Node's BlockList, which also matches an
// IPv4-mapped IPv6 address (::ffff:192.0.2.1) against IPv4 blocks.
import net from 'node:net';

/** At most this many ranges on one key. */
export const MAX_IP_RANGES = 20;

export type IpRange = { address: string; prefix: number; family: 'ipv4' | 'ipv6' };

/** One CIDR block in its canonical written form ("192.0.2.0/24", "2001:db8::/32"), or null when it is not one. */
export function parseIpRange(text: string): IpRange | null {
  const [address, prefixText, ...rest] = text.trim().split('/');
  if (!address || rest.length) return null;
  const version = net.isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address: address.toLowerCase(), prefix, family };
}

export function formatIpRange(range: IpRange): string {
  return `${range.address}/${range.prefix}`;
}

/**
 * The ranges as stored (canonical, without duplicates), or the entries that are not CIDR blocks.
 */
export function normalizeIpRanges(texts: string[]): { ok: true; ranges: string[] } | { ok: false; invalid: string[] } {
  const parsed = texts.map((t) => [t, parseIpRange(t)] as const);
  const invalid = parsed.filter(([, r]) => r === null).map(([t]) => t);
  if (invalid.length) return { ok: false, invalid };
  return { ok: true, ranges: [...new Set(parsed.map(([, r]) => formatIpRange(r!)))] };
}

/** Whether `ip` is inside one of `ranges` (none: every address is). An address that is not one is never inside. */
export function ipInRanges(ip: string, ranges: string[]): boolean {
  if (ranges.length === 0) return true;
  const version = net.isIP(ip);
  if (version === 0) return false;
  const list = new net.BlockList();
  for (const text of ranges) {
    const range = parseIpRange(text);
    if (range) list.addSubnet(range.address, range.prefix, range.family);
  }
  return list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}
