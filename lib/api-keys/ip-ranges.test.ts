import { describe, expect, it } from 'vitest';
import { ipInRanges, normalizeIpRanges, parseIpRange } from './ip-ranges';

describe('API key address ranges', () => {
  it('reads IPv4 and IPv6 CIDR blocks, and a bare address as a block of one', () => {
    expect(parseIpRange('192.0.2.0/24')).toEqual({ address: '192.0.2.0', prefix: 24, family: 'ipv4' });
    expect(parseIpRange(' 2001:DB8::/32 ')).toEqual({ address: '2001:db8::', prefix: 32, family: 'ipv6' });
    expect(parseIpRange('203.0.113.7')).toEqual({ address: '203.0.113.7', prefix: 32, family: 'ipv4' });
    expect(parseIpRange('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
  });

  it('refuses what is not a CIDR block', () => {
    for (const text of ['', '10.0.0.0/33', '2001:db8::/129', '10.0.0/8', '10.0.0.0/', '10.0.0.0/8/1', '10.0.0.0/-1', '10.0.0.0/ 8', 'example.com/24', '256.0.0.1', '10.0.0.0/0x8']) {
      expect(parseIpRange(text), text).toBeNull();
    }
  });

  it('normalizes a list and names the entries it cannot read', () => {
    expect(normalizeIpRanges(['10.0.0.0/8', '10.0.0.0/8', '2001:DB8::/32'])).toEqual({ ok: true, ranges: ['10.0.0.0/8', '2001:db8::/32'] });
    expect(normalizeIpRanges(['10.0.0.0/8', 'nope', '1.2.3.4/40'])).toEqual({ ok: false, invalid: ['nope', '1.2.3.4/40'] });
  });

  it('matches an address inside a block, and not one outside it', () => {
    const ranges = ['10.20.0.0/16', '2001:db8:1::/48', '198.51.100.9'];
    expect(ipInRanges('10.20.255.1', ranges)).toBe(true);
    expect(ipInRanges('10.21.0.1', ranges)).toBe(false);
    expect(ipInRanges('198.51.100.9', ranges)).toBe(true);
    expect(ipInRanges('198.51.100.10', ranges)).toBe(false);
    expect(ipInRanges('2001:db8:1:ffff::1', ranges)).toBe(true);
    expect(ipInRanges('2001:db8:2::1', ranges)).toBe(false);
    // An IPv4-mapped IPv6 address is the IPv4 address.
    expect(ipInRanges('::ffff:10.20.3.4', ranges)).toBe(true);
    expect(ipInRanges('::ffff:10.99.3.4', ranges)).toBe(false);
  });

  it('lets every address through when there are no ranges, and never one that is not an address', () => {
    expect(ipInRanges('203.0.113.1', [])).toBe(true);
    expect(ipInRanges('unknown', ['0.0.0.0/0'])).toBe(false);
    expect(ipInRanges('203.0.113.1', ['0.0.0.0/0'])).toBe(true);
  });
});
