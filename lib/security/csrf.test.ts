import { describe, expect, it } from 'vitest';
import { checkCsrf } from './csrf';

const base = { pathname: '/api/account/sign-up', allowedOrigins: ['http://localhost:3000'] };

describe('checkCsrf', () => {
  it('lets safe methods through', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(checkCsrf({ ...base, method, origin: 'https://evil.example', secFetchSite: 'cross-site' })).toEqual({ ok: true });
    }
  });

  it('accepts a state-changing request from an allowed origin', () => {
    expect(checkCsrf({ ...base, method: 'POST', origin: 'http://localhost:3000', secFetchSite: 'same-origin' }).ok).toBe(true);
  });

  it('refuses foreign, opaque and missing origins', () => {
    for (const [origin, secFetchSite] of [
      ['https://evil.example', null],
      ['http://localhost:3000.evil.example', null],
      ['http://localhost:3001', 'same-site'],
      ['null', null],
      [null, null],
      [null, 'cross-site'],
      [null, 'same-site'],
    ] as const) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post']) {
        expect(checkCsrf({ ...base, method, origin, secFetchSite }).ok).toBe(false);
      }
    }
  });

  it('falls back to Fetch Metadata when Origin is absent', () => {
    expect(checkCsrf({ ...base, method: 'POST', origin: null, secFetchSite: 'same-origin' }).ok).toBe(true);
  });

  it('leaves machine-to-machine endpoints to their own client authentication', () => {
    for (const pathname of ['/oauth/token', '/oauth/revoke', '/mcp', '/mcp/', '/access/v1/evaluation', '/access/v1/evaluations', '/ssf/stream', '/ssf/verify', '/api/secret-scanning/github']) {
      expect(checkCsrf({ ...base, pathname, method: 'POST', origin: 'https://agent.example', secFetchSite: null }).ok).toBe(true);
    }
    // A look-alike path is not a machine endpoint.
    expect(checkCsrf({ ...base, pathname: '/oauthx', method: 'POST', origin: null, secFetchSite: null }).ok).toBe(false);
    expect(checkCsrf({ ...base, pathname: '/mcpanel', method: 'POST', origin: null, secFetchSite: null }).ok).toBe(false);
    expect(checkCsrf({ ...base, pathname: '/access/v2', method: 'POST', origin: null, secFetchSite: null }).ok).toBe(false);
    expect(checkCsrf({ ...base, pathname: '/ssfx', method: 'POST', origin: null, secFetchSite: null }).ok).toBe(false);
    expect(checkCsrf({ ...base, pathname: '/api/secret-scanning-settings', method: 'POST', origin: null, secFetchSite: null }).ok).toBe(false);
  });
});
