import { afterEach, describe, expect, it, vi } from 'vitest';

// clientIp reads LEASH_TRUSTED_PROXIES through the cached configuration: load a fresh module per case.
async function clientIpWith(trustedProxies: string) {
  vi.resetModules();
  vi.stubEnv('LEASH_TRUSTED_PROXIES', trustedProxies);
  return (await import('./client-ip')).clientIp;
}

afterEach(() => vi.unstubAllEnvs());

describe('clientIp', () => {
  it('uses the socket address stamped by the server and ignores X-Forwarded-For by default', async () => {
    const clientIp = await clientIpWith('0');
    const headers = new Headers({ 'x-leash-client-ip': '203.0.113.7', 'x-forwarded-for': '198.51.100.1' });
    expect(clientIp(headers)).toBe('203.0.113.7');
  });

  it('behind one trusted proxy takes the address that proxy appended (the right-most)', async () => {
    const clientIp = await clientIpWith('1');
    const headers = { 'x-leash-client-ip': '10.0.0.2', 'x-forwarded-for': '6.6.6.6, 203.0.113.7' };
    expect(clientIp(headers)).toBe('203.0.113.7');
  });

  it('behind two trusted proxies skips the inner proxy, never the client-supplied entries', async () => {
    const clientIp = await clientIpWith('2');
    expect(clientIp({ 'x-forwarded-for': 'spoofed, 203.0.113.7, 10.0.0.3' })).toBe('203.0.113.7');
  });

  it('falls back to the socket address when the chain is shorter than the trusted hops', async () => {
    const clientIp = await clientIpWith('2');
    expect(clientIp({ 'x-leash-client-ip': '10.0.0.2', 'x-forwarded-for': '203.0.113.7' })).toBe('10.0.0.2');
    expect(clientIp({})).toBe('unknown');
  });
});
